using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// Keeps the primary's answer as the client got it, for comparison with a mirror's: installed on
/// the request before it is proxied, it stands in for the response body feature and copies every
/// body byte the client is sent (through <see cref="HttpResponse.Body"/>, which YARP's forwarder
/// writes, or <see cref="HttpResponse.BodyWriter"/>, or a sent file) into a prefix of at most
/// <c>maxBodyBytes</c>, counting the rest. When the response is done it takes the status and the
/// headers as sent (the upstream's after YARP copied them, with what Kestrel added: Date, Server,
/// the framing) and hands the answer over.
/// </summary>
/// <remarks>
/// <para>What the client gets is never changed or delayed: each write is passed on as it came,
/// after a synchronous copy of at most the prefix's free room; nothing extra is awaited. Memory is
/// the prefix only (an array of its own, since a kept mismatch may hold it), sized from the
/// announced length or grown by doubling.</para>
/// <para>The answer is handed over from <see cref="HttpResponse.OnCompleted(Func{object, Task}, object)"/>,
/// which Kestrel runs once the response was produced, or abandoned. It is null when the response
/// did not complete normally: the request was aborted (the client went away, or YARP reset the
/// response when the upstream failed after it had started, or the application failed after it
/// had started), or fewer or more body bytes were sent than the response's Content-Length said.
/// An answer the gateway made itself (YARP's 502 or 504 when the upstream failed before
/// answering) is the primary's answer. A client that closes its connection in the instant
/// between receiving the last byte and the completion callbacks makes the answer null as well: a
/// sample lost, never a wrong one.</para>
/// </remarks>
internal sealed class PrimaryResponseTee : IHttpResponseBodyFeature
{
    private readonly HttpContext _context;
    private readonly IHttpResponseBodyFeature _inner;
    private readonly Action<CapturedResponse?> _completed;
    private readonly PrimaryResponseTeeStream _stream;
    private PrimaryResponseTeeWriter? _writer;
    private int _done;

    private PrimaryResponseTee(HttpContext context, IHttpResponseBodyFeature inner, int maxBodyBytes, Action<CapturedResponse?> completed)
    {
        _context = context;
        _inner = inner;
        _completed = completed;
        Body = new ResponseCaptureBody(maxBodyBytes);
        _stream = new PrimaryResponseTeeStream(inner.Stream, Body);
    }

    public Stream Stream => _stream;

    public PipeWriter Writer => _writer ??= new PrimaryResponseTeeWriter(_inner.Writer, Body);

    internal ResponseCaptureBody Body { get; }

    /// <summary>
    /// Installs the tee on <paramref name="context"/> before its response starts (in before_proxy).
    /// <paramref name="completed"/> is called exactly once, when the response is done, on the
    /// thread that finishes it, with the answer as the client got it (status, headers as sent,
    /// the first <paramref name="maxBodyBytes"/> body bytes and the total body length), or null
    /// when the response did not complete normally. It must return quickly and not throw (what it
    /// throws is swallowed: the response is over by then).
    /// </summary>
    public static void Install(HttpContext context, int maxBodyBytes, Action<CapturedResponse?> completed)
    {
        ArgumentNullException.ThrowIfNull(completed);
        if (context.Features.Get<IHttpResponseBodyFeature>() is not { } inner || context.Response.HasStarted)
        {
            // Nothing to stand in for (no server feature, or the answer is already on its way).
            Complete(completed, null);
            return;
        }

        var tee = new PrimaryResponseTee(context, inner, maxBodyBytes, completed);
        context.Features.Set<IHttpResponseBodyFeature>(tee);
        context.Response.OnCompleted(static state => ((PrimaryResponseTee)state).OnCompleted(), tee);
    }

    public Task StartAsync(CancellationToken cancellationToken = default) => _inner.StartAsync(cancellationToken);

    public Task CompleteAsync() => _inner.CompleteAsync();

    public void DisableBuffering() => _inner.DisableBuffering();

    /// <summary>The file goes out through the tee's stream, so its bytes are kept as any others (at the cost of the server's zero-copy path).</summary>
    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
        => SendFileFallback.SendFileAsync(_stream, path, offset, count, cancellationToken);

    private Task OnCompleted()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0)
        {
            Complete(_completed, CompletedNormally() ? Snapshot() : null);
        }

        return Task.CompletedTask;
    }

    private bool CompletedNormally()
    {
        if (_context.RequestAborted.IsCancellationRequested)
        {
            return false;
        }

        var response = _context.Response;
        return response.ContentLength is not { } length
               || Body.Length == length
               || (Body.Length == 0 && (HttpMethods.IsHead(_context.Request.Method) || response.StatusCode is 204 or 304));
    }

    private CapturedResponse Snapshot()
    {
        var response = _context.Response;
        var headers = new List<KeyValuePair<string, string[]>>(response.Headers.Count);
        foreach (var (name, values) in response.Headers)
        {
            var kept = new List<string>(values.Count);
            foreach (var value in values)
            {
                if (value is not null)
                {
                    kept.Add(value);
                }
            }

            headers.Add(new(name, [.. kept]));
        }

        return new CapturedResponse { Status = response.StatusCode, Headers = [.. headers], Body = Body.Kept, BodyLength = Body.Length };
    }

    private static void Complete(Action<CapturedResponse?> completed, CapturedResponse? answer)
    {
        try
        {
            completed(answer);
        }
        catch (Exception)
        {
            // The response is over; a comparison that fails must not turn into the server's error.
        }
    }
}
