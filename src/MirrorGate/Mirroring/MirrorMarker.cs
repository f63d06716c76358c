using Microsoft.AspNetCore.Http;

namespace MirrorGate.Mirroring;

/// <summary>
/// The header every mirror copy carries, naming the node that made it. A request that arrives
/// with it is a copy: it is not mirrored again (a mirror pointed back at a gateway cannot loop)
/// and the Admin API and metrics listener refuse it (a copy carries the client's headers, an
/// admin key among them, from the node's own address). Its name is
/// <c>plugin_attr.proxy-mirror.marker_header</c> (read at start-up); the default name is
/// recognised as a marker too, so copies of nodes that kept the default are still caught. The
/// marker itself is never optional.
/// </summary>
internal sealed class MirrorMarker
{
    public const string DefaultHeaderName = "X-MirrorGate-Mirror";

    /// <param name="nodeId">The node's id (<c>apisix.id</c> or the generated one); the header's value.</param>
    /// <param name="headerName">The configured name (already validated), or the default.</param>
    public MirrorMarker(string nodeId, string headerName = DefaultHeaderName)
    {
        NodeId = nodeId;
        HeaderName = headerName;
        Header = new(headerName, [nodeId]);
        _renamed = !headerName.Equals(DefaultHeaderName, StringComparison.OrdinalIgnoreCase);
    }

    private readonly bool _renamed;

    public string NodeId { get; }

    /// <summary>The name copies of this node carry.</summary>
    public string HeaderName { get; }

    /// <summary>The header as a copy carries it, built once and shared by every copy (never modified).</summary>
    public KeyValuePair<string, string[]> Header { get; }

    /// <summary>The names a marker may have on this node: the configured one, then the default one if it differs.</summary>
    public string Names => _renamed ? $"{HeaderName} or {DefaultHeaderName}" : HeaderName;

    /// <summary>True when a request carries the marker (whatever node's, by this node's name or the default one), i.e. it is a mirror copy.</summary>
    public bool IsOn(IHeaderDictionary headers)
        => headers.ContainsKey(HeaderName) || (_renamed && headers.ContainsKey(DefaultHeaderName));

    /// <summary>Whether <paramref name="headerName"/> is a marker name (the configured or the default one).</summary>
    public bool IsMarker(string headerName)
        => headerName.Equals(HeaderName, StringComparison.OrdinalIgnoreCase)
           || headerName.Equals(DefaultHeaderName, StringComparison.OrdinalIgnoreCase);
}
