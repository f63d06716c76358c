namespace MirrorGate.Configuration;

/// <summary><c>deployment.etcd.*</c>, read now so a config written for the etcd store is checked early.</summary>
/// <param name="Hosts"><c>host</c>: the cluster's URLs; default http://127.0.0.1:2379.</param>
/// <param name="Prefix"><c>prefix</c>: the key prefix; default /apisix (so APISIX and MirrorGate can share a layout).</param>
/// <param name="Timeout"><c>timeout</c> in seconds for each request; default 30.</param>
/// <param name="WatchTimeout"><c>watch_timeout</c> in seconds before a watch is re-armed; default 50.</param>
/// <param name="StartupRetry"><c>startup_retry</c>: connection attempts at start-up; default 2.</param>
internal sealed record EtcdConfig(
    IReadOnlyList<Uri> Hosts,
    string Prefix,
    TimeSpan Timeout,
    TimeSpan WatchTimeout,
    string? User,
    string? Password,
    EtcdTlsConfig? Tls,
    int StartupRetry)
{
    // Records print every member; the password must never reach a log line.
    public override string ToString() =>
        $"EtcdConfig {{ Hosts = [{string.Join(", ", Hosts)}], Prefix = {Prefix}, Timeout = {Timeout}, User = {User}, Password = {(Password is null ? "(none)" : "***")}, StartupRetry = {StartupRetry} }}";
}

/// <summary><c>deployment.etcd.tls</c>: client certificate and server verification.</summary>
/// <param name="Verify">Verify the server's certificate; default true.</param>
internal sealed record EtcdTlsConfig(string? Cert, string? Key, bool Verify);
