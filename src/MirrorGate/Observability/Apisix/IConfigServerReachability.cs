namespace MirrorGate.Observability.Apisix;

/// <summary>
/// A config store behind a server the node can lose (etcd): <c>apisix_etcd_reachable</c> is exported
/// only when the store implements this. The embedded SQLite store does not, so a single node does
/// not claim an etcd it does not have.
/// </summary>
internal interface IConfigServerReachability
{
    /// <summary>True while the store's server answers (for etcd: the watch is up or was re-established).</summary>
    bool IsReachable { get; }
}
