using Microsoft.AspNetCore.Connections;
using MirrorGate.Configuration;
using MirrorGate.Hosting;

namespace MirrorGate.Tests.Hosting;

public sealed class StartupFailureTests
{
    private static NodeConfig Config() => NodeConfigLoader.LoadFromText("""
        apisix:
          node_listen: [{ip: 127.0.0.1, port: 9080}]
        deployment:
          admin:
            admin_listen: {ip: 127.0.0.1, port: 9180}
        plugin_attr:
          prometheus: {export_addr: {ip: 127.0.0.1, port: 9091}}
        """, "config.yaml").Config;

    [Theory]
    [InlineData(9080, "for the proxy (apisix.node_listen)")]
    [InlineData(9180, "for the Admin API (deployment.admin.admin_listen)")]
    [InlineData(9091, "for Prometheus metrics (plugin_attr.prometheus.export_addr)")]
    public void Describe_AddressInUse_NamesAddressAndListener(int port, string role)
    {
        var bind = new IOException($"Failed to bind to address http://127.0.0.1:{port}: address already in use.", new AddressInUseException("Address already in use"));

        var line = StartupFailure.Describe(bind, Config());

        Assert.StartsWith($"cannot listen on 127.0.0.1:{port} {role}: address already in use", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_UnexpectedException_OneLineWithType()
    {
        var line = StartupFailure.Describe(new InvalidOperationException("first\nsecond"), null);

        Assert.Equal("start-up failed: first second (InvalidOperationException)", line);
    }

    [Fact]
    public void Describe_ConfigException_ItsMessage()
    {
        Assert.Equal("apisix.node_listen: bad", StartupFailure.Describe(new ConfigException("apisix.node_listen: bad"), null));
    }
}
