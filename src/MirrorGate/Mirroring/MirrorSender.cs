using System.Buffers;
using System.Net.Sockets;
using MirrorGate.Hosting;
using MirrorGate.Mirroring.Compare;

namespace MirrorGate.Mirroring;

/// <summary>
/// Sends one gRPC mirror copy (HTTP/2, h2c or TLS) over the mirror leg's own SocketsHttpHandler
/// pool, which multiplexes copies on few connections, and discards the answer. HTTP/1.1 mirrors
/// go through <see cref="Http1.Http1MirrorLane"/> instead. The copy settles itself
/// (<see cref="MirrorCopy"/>); this class only tells it how the send ended, naming the failure
/// from what the HTTP stack threw. Timeouts follow nginx's meaning: connect, send (writing the
/// request) and read (waiting between reads of the answer).
/// </summary>
/// <remarks>
/// Comparison is refused for gRPC targets when a route is saved, so a copy here carries no
/// answer sink in practice; should one carry it anyway, its answer is kept as on the HTTP/1.1
/// lane (cheaply: the response message's headers, then content headers, and the body prefix
/// read while draining; trailers are not kept; HTTP/2 names arrive in lower case), so the sink
/// is told exactly once either way. A body cut at <see cref="IMirrorLane.MaxAnswerBytes"/> is kept
/// with its Content-Length as its length, or is no answer (<c>body_too_large</c>) without one.
/// </remarks>
internal sealed class MirrorSender : IDisposable
{
    private readonly Func<ProxyMirrorSettings> _settings;
    private readonly TimeProvider _time;
    private readonly Lock _clientLock = new();
    private MirrorClient? _client;

    public MirrorSender(Func<ProxyMirrorSettings> settings, TimeProvider time)
    {
        _settings = settings;
        _time = time;
    }

    /// <summary>
    /// Sends <paramref name="copy"/> and settles it. <paramref name="timeout"/> is the caller's
    /// reusable source: it carries this send's deadlines and is cancelled by the caller when the
    /// node stops (<paramref name="stopping"/> then says so, and the copy fails with reason shutdown).
    /// A gRPC copy is never sent twice: it counts as written from the moment it is handed over.
    /// </summary>
    public async Task SendAsync(MirrorCopy copy, CancellationTokenSource timeout, CancellationToken stopping)
    {
        var node = _settings();
        var invoker = GetClient(node).Invoker;
        var request = copy.Request;

        // A target's own timeouts bound this send; the pooled client (and its connect timeout) stays the node's.
        var settings = request.Timeouts?.Apply(node) ?? node;
        if (!copy.MarkWritten(_time.GetTimestamp()))
        {
            return;
        }

        try
        {
            using var message = BuildMessage(request, () => timeout.CancelAfter(settings.ReadTimeout));

            // Until the request is written the budget is connect + send; then each wait for the
            // answer gets the read timeout.
            timeout.CancelAfter(request.Body is null ? settings.ConnectTimeout + settings.ReadTimeout : settings.ConnectTimeout + settings.SendTimeout);
            using var response = await invoker.SendAsync(message, timeout.Token).ConfigureAwait(false);
            var body = request.AnswerSink is { } sink ? new ResponseCaptureBody(sink.MaxBodyBytes) : null;
            var ended = await DrainAsync(response, timeout, settings.ReadTimeout, body).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            // A kept answer is null only when it was cut for length with no length said: body_too_large.
            copy.Answered(status, _time.GetTimestamp(), body is null ? null : Captured(status, response, body, ended), MirrorReasons.BodyTooLarge);
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            copy.Fail(MirrorReasons.Shutdown, "the node stopped before the mirror answered");
        }
        catch (Exception ex)
        {
            copy.Fail(Classify(ex, timeout.IsCancellationRequested), ex.Message);
        }
    }

    private static HttpRequestMessage BuildMessage(MirrorRequest request, Action onSent)
    {
        var message = new HttpRequestMessage(request.Method, request.Target)
        {
            Version = request.Version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (request.Body is { } body)
        {
            message.Content = new MirrorBodyContent(body, onSent);
        }

        foreach (var (name, values) in request.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(name, values))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, values);
            }
        }

        message.Headers.Host = request.Host;
        return message;
    }

    /// <summary>The kept answer; null (no answer) when the body was cut for length and its length is unknown.</summary>
    private static CapturedResponse? Captured(int status, HttpResponseMessage response, ResponseCaptureBody body, bool ended)
    {
        long? length = ended ? body.Length : response.Content.Headers.ContentLength;
        if (length is null)
        {
            return null;
        }

        var headers = new List<KeyValuePair<string, string[]>>();
        foreach (var (name, values) in response.Headers.NonValidated)
        {
            headers.Add(new(name, [.. values]));
        }

        foreach (var (name, values) in response.Content.Headers.NonValidated)
        {
            headers.Add(new(name, [.. values]));
        }

        return new CapturedResponse { Status = status, Headers = [.. headers], Body = body.Kept, BodyLength = length.Value };
    }

    /// <summary>Reads the answer's body (into <paramref name="body"/> when it is kept); false when it was cut for length.</summary>
    private static async Task<bool> DrainAsync(HttpResponseMessage response, CancellationTokenSource timeout, TimeSpan readTimeout, ResponseCaptureBody? body)
    {
        var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
        var scratch = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            var total = 0L;
            while (total < IMirrorLane.MaxAnswerBytes)
            {
                timeout.CancelAfter(readTimeout);
                var read = await stream.ReadAsync(scratch, timeout.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    return true;
                }

                body?.Append(scratch.AsSpan(0, read));
                total += read;
            }

            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private static string Classify(Exception ex, bool timedOut)
    {
        if (ex is OperationCanceledException)
        {
            // SocketsHttpHandler reports its ConnectTimeout as a cancellation caused by a TimeoutException.
            return ex.InnerException is TimeoutException ? MirrorReasons.Connect : MirrorReasons.Timeout;
        }

        if (ex is HttpRequestException http)
        {
            if (http.HttpRequestError == HttpRequestError.NameResolutionError
                || http.InnerException is SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData })
            {
                return MirrorReasons.Resolve;
            }

            if (http.HttpRequestError == HttpRequestError.ConnectionError || http.InnerException is SocketException)
            {
                return MirrorReasons.Connect;
            }
        }

        return timedOut ? MirrorReasons.Timeout : MirrorReasons.Error;
    }

    private MirrorClient GetClient(ProxyMirrorSettings settings)
    {
        var client = Volatile.Read(ref _client);
        if (client is not null && client.Matches(settings))
        {
            return client;
        }

        lock (_clientLock)
        {
            client = _client;
            if (client is null || !client.Matches(settings))
            {
                var old = client;
                client = new MirrorClient(settings);
                Volatile.Write(ref _client, client);

                // Requests still using the old pool finish on it; it is closed once they had time to.
                if (old is not null)
                {
                    DelayedDisposal.Schedule(old, settings.ConnectTimeout + settings.SendTimeout + settings.ReadTimeout, _time);
                }
            }

            return client;
        }
    }

    public void Dispose() => _client?.Dispose();
}
