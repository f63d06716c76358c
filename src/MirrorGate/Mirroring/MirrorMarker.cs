using Microsoft.AspNetCore.Http;

namespace MirrorGate.Mirroring;

/// <summary>
/// The header every mirror copy carries, naming the node that made it. A request that arrives
/// with it is a copy: it is not mirrored again (a mirror pointed back at a gateway cannot loop)
/// and the Admin API and metrics listener refuse it (a copy carries the client's headers, an
/// admin key among them, from the node's own address). The name lives here only, so that it can
/// one day be configurable; the marker itself is never optional.
/// </summary>
internal sealed class MirrorMarker
{
    public const string HeaderName = "X-MirrorGate-Mirror";

    /// <param name="nodeId">The node's id (<c>apisix.id</c> or the generated one); the header's value.</param>
    public MirrorMarker(string nodeId)
    {
        NodeId = nodeId;
        Header = new(HeaderName, [nodeId]);
    }

    public string NodeId { get; }

    /// <summary>The header as a copy carries it, built once and shared by every copy (never modified).</summary>
    public KeyValuePair<string, string[]> Header { get; }

    /// <summary>True when a request carries the marker (whatever node's), i.e. it is a mirror copy.</summary>
    public static bool IsOn(IHeaderDictionary headers) => headers.ContainsKey(HeaderName);

    public static bool IsMarker(string headerName) => headerName.Equals(HeaderName, StringComparison.OrdinalIgnoreCase);
}
