using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using MirrorGate.Configuration;
using MirrorGate.Stores;

namespace MirrorGate.Hosting;

/// <summary>
/// A start-up failure as the one line the executable prints: what failed and why, with the
/// config.yaml key to change where there is one, never a stack trace.
/// </summary>
internal static partial class StartupFailure
{
    public static string Describe(Exception exception, NodeConfig? config)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception switch
        {
            ConfigException or StoreUnavailableException or CommandLineException => OneLine(exception.Message),
            IOException { InnerException: AddressInUseException } bind when EndpointIn(bind.Message) is { } endpoint =>
                $"cannot listen on {endpoint.Address}{Role(endpoint.Port, config)}: address already in use (another process, or another listener of this node, has the port)",
            IOException { InnerException: { } inner } when inner is AddressInUseException or System.Net.Sockets.SocketException =>
                OneLine($"{exception.Message} {inner.Message}"),
            _ => OneLine($"start-up failed: {exception.Message} ({exception.GetType().Name})"),
        };
    }

    /// <summary>Kestrel's "Failed to bind to address http://127.0.0.1:9080: address already in use."</summary>
    private static (string Address, int Port)? EndpointIn(string message)
    {
        var match = BoundAddress().Match(message);
        return match.Success && int.TryParse(match.Groups["port"].ValueSpan, out var port)
            ? ($"{match.Groups["host"].Value}:{port}", port)
            : null;
    }

    private static string Role(int port, NodeConfig? config)
    {
        if (config is null)
        {
            return "";
        }

        if (config.EnableAdmin && config.Deployment.Admin.Listen.Port == port)
        {
            return " for the Admin API (deployment.admin.admin_listen)";
        }

        if (config.PrometheusExportAddr.Port == port)
        {
            return " for Prometheus metrics (plugin_attr.prometheus.export_addr)";
        }

        return config.NodeListen.Any(l => l.Port == port) ? " for the proxy (apisix.node_listen)" : "";
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    [GeneratedRegex(@"://(?<host>\[[^\]]+\]|[^:/\s]+):(?<port>\d+)")]
    private static partial Regex BoundAddress();
}
