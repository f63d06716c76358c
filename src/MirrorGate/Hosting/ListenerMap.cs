using MirrorGate.Configuration;

namespace MirrorGate.Hosting;

internal enum ListenerKind
{
    Proxy,
    Admin,
    Prometheus,
}

/// <summary>Which listener a connection came in on, by local port: one Kestrel server serves all three roles.</summary>
internal sealed class ListenerMap
{
    private readonly int _prometheusPort;

    private ListenerMap(int? adminPort, int prometheusPort)
    {
        AdminPort = adminPort;
        _prometheusPort = prometheusPort;
    }

    public int? AdminPort { get; }

    public static ListenerMap From(NodeConfig config)
    {
        int? admin = config.EnableAdmin ? config.Deployment.Admin.Listen.Port : null;
        var prometheus = config.PrometheusExportAddr.Port;
        var proxyPorts = config.NodeListen.Select(l => l.Port).ToHashSet();
        if (admin is { } a && (proxyPorts.Contains(a) || a == prometheus))
        {
            throw new ConfigException($"deployment.admin.admin_listen.port: {a} is also used by another listener; give the Admin API its own port");
        }

        if (proxyPorts.Contains(prometheus))
        {
            throw new ConfigException($"plugin_attr.prometheus.export_addr.port: {prometheus} is also a node_listen port; give metrics their own port");
        }

        return new ListenerMap(admin, prometheus);
    }

    public ListenerKind Classify(int localPort)
        => localPort == AdminPort ? ListenerKind.Admin
            : localPort == _prometheusPort ? ListenerKind.Prometheus
            : ListenerKind.Proxy;
}
