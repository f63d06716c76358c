using System.Net;
using System.Net.NetworkInformation;
using MirrorGate.Configuration;
using MirrorGate.Mirroring;

namespace MirrorGate.Plugins.ProxyMirror;

/// <summary>One of the node's own listeners no mirror may reach, e.g. the Admin API on 127.0.0.1:9180.</summary>
/// <param name="Name">What it serves, as the refusal names it.</param>
/// <param name="ConfigKey">The config.yaml key that places it.</param>
internal sealed record ReservedListener(string Name, string ConfigKey, IPAddress Address, int Port);

/// <summary>
/// The node's Admin API and metrics listeners, which a mirror host may not point at. A copy
/// carries the client's headers (an <c>X-API-KEY</c> among them) and leaves from this node's own
/// address, so a mirror aimed at the Admin API would pass <c>allow_admin</c> for any client.
/// A host reaches a listener when the ports match and the host is the listener's address, or
/// any local spelling of it where the listener binds to all addresses (loopback, 0.0.0.0, ::,
/// <c>localhost</c>, the machine's name or one of its addresses). Other names are not resolved
/// here; the Admin API refuses every request that carries the mirror marker, whatever its route.
/// </summary>
internal sealed class ReservedListeners(IReadOnlyList<ReservedListener> listeners, string machineName, IReadOnlySet<IPAddress> localAddresses)
{
    public IReadOnlyList<ReservedListener> Listeners { get; } = listeners;

    public static ReservedListeners FromConfig(NodeConfig config)
    {
        var listeners = new List<ReservedListener>();
        if (config.EnableAdmin)
        {
            var admin = config.Deployment.Admin.Listen;
            listeners.Add(new("Admin API", "deployment.admin.admin_listen", IPAddress.Parse(admin.Ip), admin.Port));
        }

        var metrics = config.PrometheusExportAddr;
        listeners.Add(new("metrics", "plugin_attr.prometheus.export_addr", IPAddress.Parse(metrics.Ip), metrics.Port));
        return new ReservedListeners(listeners, Dns.GetHostName(), LocalAddresses());
    }

    /// <summary>The listener <paramref name="origin"/> would reach, or null when it reaches none of them.</summary>
    public ReservedListener? Reached(MirrorOrigin origin)
    {
        foreach (var listener in Listeners)
        {
            if (listener.Port == origin.Port && Reaches(listener.Address, origin))
            {
                return listener;
            }
        }

        return null;
    }

    private bool Reaches(IPAddress bound, MirrorOrigin origin)
    {
        if (origin.Address is not { } target)
        {
            var name = origin.Host.TrimEnd('.');
            if (name.Equals(machineName, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            var isLoopbackName = name == "localhost" || name.EndsWith(".localhost", StringComparison.Ordinal);
            return isLoopbackName && (IsUnspecified(bound) || IPAddress.IsLoopback(bound));
        }

        if (target.IsIPv4MappedToIPv6)
        {
            target = target.MapToIPv4();
        }

        if (target.Equals(bound))
        {
            return true;
        }

        if (IsUnspecified(bound))
        {
            return IPAddress.IsLoopback(target) || IsUnspecified(target) || localAddresses.Contains(target);
        }

        // A connection to 0.0.0.0 or :: goes to the loopback interface.
        return IPAddress.IsLoopback(bound) && IsUnspecified(target);
    }

    private static bool IsUnspecified(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    private static HashSet<IPAddress> LocalAddresses()
    {
        var addresses = new HashSet<IPAddress>();
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    var address = unicast.Address;
                    addresses.Add(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
                }
            }
        }
        catch (NetworkInformationException)
        {
            // Without the list, loopback and the machine's name are still refused; the Admin API
            // refusing marked requests covers the rest.
        }

        return addresses;
    }
}
