using System.Reflection;

namespace MirrorGate.Hosting;

/// <summary>What the command line asks for: run a node, print the usage, or print the version.</summary>
internal enum CommandLineAction
{
    Run,
    Help,
    Version,
}

/// <summary>
/// The gateway's own arguments: <c>--config PATH</c> (short <c>-c</c>), <c>--help</c>, <c>--version</c>.
/// ASP.NET Core settings written <c>--Section:Key=Value</c> are passed to the host (for example
/// <c>--Logging:LogLevel:Default=Warning</c>); any other argument is a usage error, so a typo is
/// not silently ignored.
/// </summary>
internal sealed record CommandLine(CommandLineAction Action, string ConfigPath, string[] HostArgs)
{
    /// <summary>Exit code of a wrong command line (as getopt-style tools use it); start-up failures exit 1.</summary>
    public const int UsageExitCode = 2;

    public const string ExportUsage = "mirrorgate export [-c conf/config.yaml] [--out FILE]";

    public const string ImportUsage = "mirrorgate import [-c conf/config.yaml] --in FILE [--dry-run]";

    public const string Usage =
        "usage: mirrorgate [-c conf/config.yaml] [--Section:Key=Value ...]\n" +
        "       " + ExportUsage + "\n" +
        "       " + ImportUsage + "\n" +
        "       mirrorgate --help | --version\n" +
        "\n" +
        "Runs an API gateway node configured by an APISIX-style config.yaml.\n" +
        "\n" +
        "options:\n" +
        "  -c, --config PATH       the node's config.yaml (default conf/config.yaml); a relative\n" +
        "                          path resolves against the current directory\n" +
        "  --Section:Key=Value     an ASP.NET Core host setting, passed through,\n" +
        "                          e.g. --Logging:LogLevel:Default=Warning\n" +
        "  -h, --help, help        print this help and exit\n" +
        "  --version, version      print the version and exit\n" +
        "\n" +
        "commands:\n" +
        "  export                  write every route, upstream, service, plugin config and\n" +
        "                          global rule of the store to standard output, or to FILE\n" +
        "                          with --out FILE\n" +
        "  import                  load a document written by export from FILE (--in - reads\n" +
        "                          standard input); --dry-run validates and writes nothing\n" +
        "\n" +
        "exit codes: 0 stopped cleanly (or help/version printed), 1 start-up failed,\n" +
        "            2 wrong command line";

    /// <summary><c>mirrorgate 0.1.0</c>: the assembly's informational version without the source revision.</summary>
    public static string VersionLine => $"mirrorgate {Version}";

    /// <summary>The gateway's version, e.g. <c>0.1.0</c>.</summary>
    public static string Version { get; } = ReadVersion();

    /// <summary>Parses the arguments; throws <see cref="CommandLineException"/> for a wrong one.</summary>
    public static CommandLine Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var configPath = Configuration.NodeConfigLoader.DefaultPath;
        var rest = new List<string>();
        if (args is ["help", ..])
        {
            return new CommandLine(CommandLineAction.Help, configPath, []);
        }

        if (args is ["version", ..])
        {
            return new CommandLine(CommandLineAction.Version, configPath, []);
        }

        // --help wins wherever it is, so `mirrorgate -c x.yaml --help` explains rather than starts.
        if (args.Any(a => a is "-h" or "--help"))
        {
            return new CommandLine(CommandLineAction.Help, configPath, []);
        }

        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-c" or "--config")
            {
                if (i + 1 >= args.Length || args[i + 1].Length == 0)
                {
                    throw new CommandLineException($"{arg} needs a path, e.g. {arg} conf/config.yaml");
                }

                configPath = args[++i];
            }
            else if (arg.StartsWith("--config=", StringComparison.Ordinal))
            {
                configPath = arg["--config=".Length..];
                if (configPath.Length == 0)
                {
                    throw new CommandLineException("--config= needs a path, e.g. --config=conf/config.yaml");
                }
            }
            else if (arg == "--version")
            {
                return new CommandLine(CommandLineAction.Version, configPath, []);
            }
            else if (IsHostSetting(arg))
            {
                rest.Add(arg);
            }
            else
            {
                throw new CommandLineException(arg.StartsWith('-') ? $"unknown option '{arg}'" : $"unknown command '{arg}'");
            }
        }

        return new CommandLine(CommandLineAction.Run, configPath, rest.ToArray());
    }

    /// <summary><c>--Key=Value</c> with a non-empty key: what ASP.NET Core's command-line configuration reads.</summary>
    private static bool IsHostSetting(string arg) =>
        arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) > 2;

    private static string ReadVersion()
    {
        var informational = typeof(CommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(CommandLine).Assembly.GetName().Version?.ToString()
            ?? "unknown";

        // The SDK appends "+<commit>"; a short form of it still tells builds apart.
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus >= 0 && informational.Length > plus + 8 ? informational[..(plus + 8)] : informational;
    }
}

/// <summary>A command line the gateway cannot run: printed as one line with a pointer to --help, exit code 2.</summary>
internal sealed class CommandLineException(string message) : Exception(message);
