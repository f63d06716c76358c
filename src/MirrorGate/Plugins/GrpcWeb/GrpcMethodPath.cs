using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace MirrorGate.Plugins.GrpcWeb;

/// <summary>
/// The path the gRPC upstream gets, as APISIX computes it: what the route's bare <c>*</c> segment
/// matched (lua-resty-radixtree's <c>:ext</c>), with a leading <c>/</c> added when missing; so
/// <c>/grpc/web/*</c> sends <c>/grpc/web/pkg.Service/Method</c> as <c>/pkg.Service/Method</c>.
/// A route uri without a bare <c>*</c> segment (exact, <c>/grpc/web*</c>, <c>/grpc/*name</c>)
/// or an empty match leaves the path as it is (APISIX 3.15 and later).
/// </summary>
internal sealed class GrpcMethodPath
{
    // Per route uri of the route this handler belongs to: bounded by the route's own uris.
    private readonly ConcurrentDictionary<string, Func<string, string?>> _extractors = new(StringComparer.Ordinal);

    /// <summary>The method path for <paramref name="path"/> (the decoded request path) matched by <paramref name="matchedUri"/>; null to keep the path.</summary>
    public string? For(string matchedUri, string path)
    {
        var ext = _extractors.GetOrAdd(matchedUri, Compile)(path);
        if (string.IsNullOrEmpty(ext))
        {
            return null;
        }

        return ext[0] == '/' ? ext : "/" + ext;
    }

    private static Func<string, string?> Compile(string matchedUri)
    {
        var segments = matchedUri.Split('/');
        var bare = Array.IndexOf(segments, "*");
        if (bare < 0)
        {
            return static _ => null;
        }

        // The common shape, one trailing "*": the rest of the path after the literal prefix.
        if (bare == segments.Length - 1 && matchedUri.IndexOf('*') == matchedUri.Length - 1 && !matchedUri.Contains("/:", StringComparison.Ordinal))
        {
            var prefix = matchedUri[..^1];
            return path => path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : null;
        }

        // Other wildcard segments, as the radixtree's pattern: "*..." spans slashes, ":..." one segment.
        var pattern = new StringBuilder("^");
        for (var i = 0; i < segments.Length; i++)
        {
            if (i > 0)
            {
                pattern.Append('/');
            }

            var segment = segments[i];
            pattern.Append(
                i == bare ? "(?<ext>(?s:.*))"
                : segment.StartsWith('*') ? "(?s:.*)"
                : segment.StartsWith(':') ? "[^/]+"
                : Regex.Escape(segment));
        }

        pattern.Append(@"\z");
        var regex = new Regex(pattern.ToString(), RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        return path =>
        {
            try
            {
                var match = regex.Match(path);
                return match.Success ? match.Groups["ext"].Value : null;
            }
            catch (RegexMatchTimeoutException)
            {
                return null;
            }
        };
    }
}
