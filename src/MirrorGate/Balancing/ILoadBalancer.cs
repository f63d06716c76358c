using Microsoft.AspNetCore.Http;

namespace MirrorGate.Balancing;

/// <summary>
/// Picks a node of one upstream for a request. Implementations are built once per upstream
/// version (inside a snapshot) and are safe for concurrent use without locks on the hot path
/// where possible.
/// </summary>
internal interface ILoadBalancer
{
    IReadOnlyList<UpstreamNode> Nodes { get; }

    /// <summary>
    /// Picks a healthy node (all nodes when none is healthy), skipping <paramref name="exclude"/>
    /// (nodes already tried by this request's retries). Returns null when there is nothing to pick.
    /// </summary>
    UpstreamNode? Pick(HttpContext context, IReadOnlyCollection<UpstreamNode>? exclude);

    /// <summary>Called when a request to <paramref name="node"/> starts (least_conn counts it).</summary>
    void OnStarted(UpstreamNode node);

    /// <summary>
    /// Called when the attempt ended: <paramref name="statusCode"/> is the upstream status, or 0
    /// when the connection failed, -1 on timeout. Feeds ewma and passive health checks.
    /// </summary>
    void OnCompleted(UpstreamNode node, int statusCode, TimeSpan elapsed);
}
