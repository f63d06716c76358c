using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using MirrorGate.Snapshot;

namespace MirrorGate.Pipeline;

/// <summary>
/// What the gateway knows about a request it finished: the exchange itself, the route and the
/// upstream attempts (through <see cref="Proxy"/>), when it started and ended, and the body bytes
/// counted in both directions. Valid only during <see cref="ICompletedRequestObserver.OnCompleted"/>.
/// </summary>
internal readonly struct CompletedRequest
{
    public required HttpContext Http { get; init; }

    /// <summary>The route's per-request state; null when no route matched (the 404 answer).</summary>
    public ProxyContext? Proxy { get; init; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> when the proxy started on the request.</summary>
    public required long StartTimestamp { get; init; }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> when the response body was written.</summary>
    public required long EndTimestamp { get; init; }

    /// <summary>Request body bytes read from the client (counted when an observer asks for it, else 0).</summary>
    public long RequestBodyBytes { get; init; }

    /// <summary>Response body bytes written to the client (counted when an observer asks for it, else 0).</summary>
    public long ResponseBodyBytes { get; init; }

    public RouteModel? Route => Proxy?.Route;

    /// <summary>nginx's <c>$request_time</c>: from the start to the last body byte written.</summary>
    public TimeSpan RequestTime => Stopwatch.GetElapsedTime(StartTimestamp, EndTimestamp);
}
