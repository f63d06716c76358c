using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MirrorGate.Configuration;
using MirrorGate.Hosting;

namespace MirrorGate.Tests.Hosting;

/// <summary>nginx_config.error_log_level as the node's log levels, with --Logging:... still winning.</summary>
public sealed class LoggingDefaultsTests
{
    private static ILoggerFactory Factory(LogLevel level, params string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args });
        MirrorGateHost.ConfigureLogging(builder, NginxConfig.Default with { ErrorLogLevel = level });
        var app = builder.Build();
        return app.Services.GetRequiredService<ILoggerFactory>();
    }

    private static bool On(ILoggerFactory factory, string category, LogLevel level) => factory.CreateLogger(category).IsEnabled(level);

    [Fact]
    public void ConfigureLogging_DefaultWarn_LibrariesAndGatewayAtWarningStartupLinesAtInformation()
    {
        var factory = Factory(LogLevel.Warning);

        Assert.False(On(factory, "Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Information));
        Assert.True(On(factory, "Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning));
        Assert.False(On(factory, "System.Net.Http.HttpClient", LogLevel.Information));
        Assert.False(On(factory, "MirrorGate.Pipeline.ProxyMiddleware", LogLevel.Information));
        Assert.True(On(factory, "MirrorGate.Pipeline.ProxyMiddleware", LogLevel.Warning));
        Assert.True(On(factory, "MirrorGate", LogLevel.Information));
        Assert.True(On(factory, "MirrorGate.Configuration.ConfigFileWatcher", LogLevel.Information));
        Assert.False(On(factory, "MirrorGate.Configuration.ConfigFileWatcher", LogLevel.Debug));
        Assert.False(On(factory, "Microsoft.Hosting.Lifetime", LogLevel.Information));
        Assert.True(On(factory, "Microsoft.Hosting.Lifetime", LogLevel.Warning));
    }

    [Fact]
    public void ConfigureLogging_YarpForwarder_OnlyErrors_SoAnUnreachableUpstreamIsTheGatewaysOneLine()
    {
        var factory = Factory(LogLevel.Warning);

        Assert.False(On(factory, MirrorGateHost.YarpForwarderCategory, LogLevel.Warning));
        Assert.True(On(factory, MirrorGateHost.YarpForwarderCategory, LogLevel.Error));
        Assert.True(On(factory, "Yarp.ReverseProxy.Forwarder.ForwarderHttpClientFactory", LogLevel.Warning));
    }

    [Fact]
    public void ConfigureLogging_Info_LibrariesAtInformationButNotLifetimeOrForwarder()
    {
        var factory = Factory(LogLevel.Information);

        Assert.True(On(factory, "Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Information));
        Assert.True(On(factory, "MirrorGate.Pipeline.ProxyMiddleware", LogLevel.Information));
        Assert.False(On(factory, "Microsoft.Hosting.Lifetime", LogLevel.Information));
        Assert.False(On(factory, MirrorGateHost.YarpForwarderCategory, LogLevel.Information));
    }

    [Fact]
    public void ConfigureLogging_Debug_ForwarderToo()
    {
        var factory = Factory(LogLevel.Debug);

        Assert.True(On(factory, MirrorGateHost.YarpForwarderCategory, LogLevel.Debug));
        Assert.True(On(factory, "MirrorGate.Mirroring.MirrorDispatcher", LogLevel.Debug));
    }

    [Fact]
    public void ConfigureLogging_Crit_StartupLinesStillShown()
    {
        var factory = Factory(LogLevel.Critical);

        Assert.True(On(factory, "MirrorGate", LogLevel.Information));
        Assert.False(On(factory, "MirrorGate.Pipeline.ProxyMiddleware", LogLevel.Error));
        Assert.False(On(factory, "Microsoft.AspNetCore.Server.Kestrel", LogLevel.Error));
    }

    [Fact]
    public void ConfigureLogging_LoggingArguments_Win()
    {
        var factory = Factory(LogLevel.Warning, "--Logging:LogLevel:Default=Debug", "--Logging:LogLevel:Yarp=Information", "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information");

        Assert.True(On(factory, "Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Debug));
        Assert.True(On(factory, "MirrorGate.Pipeline.ProxyMiddleware", LogLevel.Debug));
        Assert.True(On(factory, MirrorGateHost.YarpForwarderCategory, LogLevel.Information));
        Assert.True(On(factory, "Microsoft.Hosting.Lifetime", LogLevel.Information));
    }
}
