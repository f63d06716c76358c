using Microsoft.AspNetCore.Connections;

namespace MirrorGate.Observability.Apisix;

/// <summary>
/// Connection counts of the proxy listeners for APISIX's
/// <c>apisix_nginx_http_current_connections</c> (nginx's stub_status): a connection middleware
/// counts each accepted connection and how many are open; two Interlocked operations per
/// connection, nothing per request.
/// </summary>
internal sealed class ProxyConnectionCounters
{
    private long _accepted;
    private long _active;

    public long Accepted => Volatile.Read(ref _accepted);

    public long Active => Volatile.Read(ref _active);

    /// <summary>For <c>ListenOptions.Use</c>: counts the connection for as long as the rest of its pipeline runs.</summary>
    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        Interlocked.Increment(ref _accepted);
        Interlocked.Increment(ref _active);
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    };
}
