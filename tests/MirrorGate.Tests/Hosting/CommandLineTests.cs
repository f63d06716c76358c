using MirrorGate.Configuration;
using MirrorGate.Hosting;

namespace MirrorGate.Tests.Hosting;

public sealed class CommandLineTests
{
    [Fact]
    public void Parse_NoArguments_RunsWithDefaultConfig()
    {
        var line = CommandLine.Parse([]);

        Assert.Equal(CommandLineAction.Run, line.Action);
        Assert.Equal(NodeConfigLoader.DefaultPath, line.ConfigPath);
        Assert.Empty(line.HostArgs);
    }

    [Theory]
    [InlineData("-c", "conf/x.yaml")]
    [InlineData("--config", "conf/x.yaml")]
    [InlineData("--config=conf/x.yaml", null)]
    public void Parse_ConfigOption_TakesThePathAsGiven(string option, string? value)
    {
        var line = CommandLine.Parse(value is null ? [option] : [option, value]);

        Assert.Equal(CommandLineAction.Run, line.Action);
        Assert.Equal("conf/x.yaml", line.ConfigPath);
    }

    [Fact]
    public void Parse_HostSettings_PassedThroughInOrder()
    {
        var line = CommandLine.Parse(["--Logging:LogLevel:Default=Warning", "-c", "x.yaml", "--urls=http://127.0.0.1:1"]);

        Assert.Equal("x.yaml", line.ConfigPath);
        Assert.Equal(["--Logging:LogLevel:Default=Warning", "--urls=http://127.0.0.1:1"], line.HostArgs);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public void Parse_Help_AsksForUsage(string arg)
    {
        Assert.Equal(CommandLineAction.Help, CommandLine.Parse([arg]).Action);
    }

    [Fact]
    public void Parse_HelpAfterOtherArguments_StillAsksForUsage()
    {
        Assert.Equal(CommandLineAction.Help, CommandLine.Parse(["-c", "x.yaml", "--bogus", "--help"]).Action);
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("version")]
    public void Parse_Version_AsksForVersion(string arg)
    {
        Assert.Equal(CommandLineAction.Version, CommandLine.Parse([arg]).Action);
    }

    [Theory]
    [InlineData("--bogus", "unknown option '--bogus'")]
    [InlineData("-x", "unknown option '-x'")]
    [InlineData("--Logging:LogLevel:Default", "unknown option '--Logging:LogLevel:Default'")]
    [InlineData("--=x", "unknown option '--=x'")]
    [InlineData("start", "unknown command 'start'")]
    public void Parse_UnknownArgument_ThrowsNamingIt(string arg, string message)
    {
        var ex = Assert.Throws<CommandLineException>(() => CommandLine.Parse([arg]));

        Assert.Equal(message, ex.Message);
    }

    [Theory]
    [InlineData("-c")]
    [InlineData("--config")]
    public void Parse_ConfigOptionWithoutPath_ThrowsNamingTheOption(string option)
    {
        var ex = Assert.Throws<CommandLineException>(() => CommandLine.Parse([option]));

        Assert.StartsWith($"{option} needs a path", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Usage_NamesEveryOptionAndCommand()
    {
        foreach (var text in new[] { "-c, --config PATH", "--Section:Key=Value", "--help", "--version", CommandLine.ExportUsage, CommandLine.ImportUsage, "--dry-run", "exit codes" })
        {
            Assert.Contains(text, CommandLine.Usage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void VersionLine_NamesTheAssemblyVersion()
    {
        Assert.Matches(@"^mirrorgate \d+\.\d+\.\d+", CommandLine.VersionLine);
    }
}
