using Microsoft.AspNetCore.Http;

namespace MirrorGate.Routing;

/// <summary>
/// The compiled router of one snapshot, following APISIX's <c>radixtree_host_uri</c>: host-bound routes first
/// (exact host, then wildcards, longest suffix first), host-less routes only when none of those matched. Within a
/// group: exact uri, then prefixes longest first; at one path, priority order. Immutable, so requests read it
/// without locks; a lookup allocates nothing unless a route's <c>vars</c> reads query, cookies or headers.
/// </summary>
internal sealed class RouteIndex<T>
    where T : class
{
    private readonly HostTable<T>? _hosts;
    private readonly PathTable<T> _hostless;

    private RouteIndex(HostTable<T>? hosts, PathTable<T> hostless)
    {
        _hosts = hosts;
        _hostless = hostless;
    }

    /// <summary>Indexes enabled routes in the given (load) order; routes with <c>status: 0</c> are left out.</summary>
    public static RouteIndex<T> Build(IEnumerable<(RouteMatchSpec Spec, T Value)> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var hostBound = new List<RouteCandidate<T>>();
        var hostless = new List<RouteCandidate<T>>();
        var order = 0;
        foreach (var (spec, value) in routes)
        {
            if (!spec.IsEnabled)
            {
                continue;
            }

            var target = spec.Hosts is null ? hostless : hostBound;
            foreach (var uri in spec.UriPatterns)
            {
                target.Add(new RouteCandidate<T>(spec, uri, value, order++));
            }
        }

        var hosts = hostBound.Count == 0 ? null : HostTable<T>.Build(hostBound);
        return new RouteIndex<T>(hosts, PathTable<T>.Build(hostless));
    }

    /// <summary>The matched route's value, or null (APISIX answers 404 "404 Route Not Found").</summary>
    public T? Match(HttpContext context) => MatchCandidate(context)?.Value;

    /// <summary>The matched candidate, which also says which uri pattern matched.</summary>
    internal RouteCandidate<T>? MatchCandidate(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;

        // Kestrel hands over the decoded path; an empty path is the root.
        var path = request.Path.Value is { Length: > 0 } value ? value : "/";
        var method = HttpMethodMasks.From(request.Method);
        if (_hosts is not null)
        {
            var hit = _hosts.Match(context, method, path, RequestHost.WithoutPort(request.Host.Value));
            if (hit is not null)
            {
                return hit;
            }
        }

        return _hostless.Match(context, method, path);
    }
}
