using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MirrorGate.Hosting;

/// <summary>
/// Serves HTTP/1.1 and h2c (HTTP/2 with prior knowledge) on one cleartext port, as APISIX does for
/// <c>node_listen</c> items with <c>enable_http2</c>. Kestrel picks HTTP/1.1 for every cleartext
/// connection on an Http1AndHttp2 endpoint (there is no ALPN to tell), so the public endpoint
/// speaks HTTP/1.1 and this router looks at each connection's first bytes: a connection that
/// opens with the HTTP/2 preface is handed to the HTTP/2 pipeline Kestrel built for an internal
/// HTTP/2-only endpoint instead. The connection itself (its local port, features, limits) stays
/// the public one's; only the protocol handler differs.
/// </summary>
internal sealed class H2cPrefaceRouter
{
    // RFC 9113 section 3.4: every prior-knowledge HTTP/2 connection opens with these 24 bytes.
    private static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    // Written once while Kestrel binds, read by every connection afterwards.
    private volatile ConnectionDelegate? _http2;
    private ListenOptions? _internalEndpoint;

    /// <summary>Where the internal endpoint was bound (known once the server started).</summary>
    public System.Net.EndPoint? InternalEndPoint => _internalEndpoint?.EndPoint;

    /// <summary>
    /// Takes the HTTP/2 pipeline of <paramref name="internalEndpoint"/> (configure it as Http2 only,
    /// and before any public endpoint so it is built first). Connections made to the internal
    /// endpoint directly are closed: it exists only to have Kestrel build that pipeline.
    /// </summary>
    public void CaptureHttp2Pipeline(ListenOptions internalEndpoint)
    {
        _internalEndpoint = internalEndpoint;
        internalEndpoint.Protocols = HttpProtocols.Http2;
        internalEndpoint.Use(next =>
        {
            _http2 = next;
            return static connection =>
            {
                connection.Abort();
                return Task.CompletedTask;
            };
        });
    }

    /// <summary>Makes <paramref name="publicEndpoint"/> serve HTTP/1.1 and h2c prior knowledge.</summary>
    public void Attach(ListenOptions publicEndpoint)
    {
        publicEndpoint.Protocols = HttpProtocols.Http1;
        publicEndpoint.Use(http1 =>
        {
            // A client that connects and says nothing gets as long as Kestrel gives for request headers.
            var timeout = publicEndpoint.KestrelServerOptions.Limits.RequestHeadersTimeout;
            return connection => RouteAsync(connection, http1, timeout);
        });
    }

    private async Task RouteAsync(ConnectionContext connection, ConnectionDelegate http1, TimeSpan timeout)
    {
        var kind = await PeekAsync(connection, timeout).ConfigureAwait(false);
        switch (kind)
        {
            case PrefaceKind.Http2 when _http2 is { } http2:
                await http2(connection).ConfigureAwait(false);
                break;
            case PrefaceKind.Http1:
                await http1(connection).ConfigureAwait(false);
                break;
            default:
                // Closed, silent past the timeout, or the HTTP/2 pipeline is not built: nothing to serve.
                connection.Abort();
                break;
        }
    }

    /// <summary>
    /// Reads until the bytes either differ from the preface or contain it whole, consuming nothing
    /// so the chosen protocol handler reads them again from the start.
    /// </summary>
    private static async Task<PrefaceKind> PeekAsync(ConnectionContext connection, TimeSpan limit)
    {
        var input = connection.Transport.Input;

        // Stop waiting when the client goes away or the server shuts down.
        var shutdown = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? CancellationToken.None;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, shutdown);
        timeout.CancelAfter(limit);
        long examined = 0;
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var kind = Classify(buffer);
                if (kind is not PrefaceKind.Undecided)
                {
                    // Examined must not move backwards; leaving it where the previous read ended
                    // (short of the newly arrived bytes) makes the handler's first read return at once.
                    input.AdvanceTo(buffer.Start, buffer.GetPosition(examined));
                    return kind;
                }

                if (result.IsCompleted || result.IsCanceled)
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    return PrefaceKind.None;
                }

                // A strict prefix of the preface so far: wait for more bytes.
                examined = buffer.Length;
                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException)
        {
            return PrefaceKind.None;
        }
        catch (Exception ex) when (ex is ConnectionResetException or IOException)
        {
            return PrefaceKind.None;
        }
    }

    internal static PrefaceKind Classify(ReadOnlySequence<byte> buffer)
    {
        Span<byte> head = stackalloc byte[24];
        var length = (int)Math.Min(buffer.Length, head.Length);
        buffer.Slice(0, length).CopyTo(head);
        var preface = Preface;
        for (var i = 0; i < length; i++)
        {
            if (head[i] != preface[i])
            {
                return PrefaceKind.Http1;
            }
        }

        return length == preface.Length ? PrefaceKind.Http2 : PrefaceKind.Undecided;
    }

    internal enum PrefaceKind
    {
        Undecided,
        Http1,
        Http2,
        None,
    }
}
