using Microsoft.AspNetCore.Http;
using MirrorGate.Balancing;

namespace MirrorGate.Plugins.ProxyMirror;

/// <summary>
/// Decides whether a request is sampled for one target. Without <c>sample_key</c>: a random draw
/// under the ratio (APISIX: a ratio of 1 skips the draw). With it: a stable hash of the key's value
/// mapped to [0, 1) compared with the ratio, so a given value (a user id, a session) gets the same
/// decision on every node, after restarts, and for every target with the same ratio; raising the
/// ratio only adds values. A request without the key falls back to the random draw.
/// </summary>
internal sealed class MirrorSampler(double ratio, RequestVariable? key)
{
    private const double Scale = 1.0 / 4294967296.0; // 2^-32

    public double Ratio { get; } = ratio;

    public RequestVariable? Key { get; } = key;

    private readonly string? _header = key?.HeaderName;

    public bool Samples(HttpContext context, Func<double> random)
    {
        if (Ratio >= 1)
        {
            return true;
        }

        if (_header is { } header)
        {
            // The common key, a request header, read straight from the header dictionary: the
            // general variable lookup costs more than the header and the hash together.
            var values = context.Request.Headers[header];
            if (values.Count > 0)
            {
                return Position(StableHash.Of(values[0])) < Ratio;
            }
        }
        else if (Key is { } key)
        {
            var hash = default(StableHash);
            if (key.TryAppend(context, ref hash))
            {
                return Position(hash.Finish()) < Ratio;
            }
        }

        return random() < Ratio;
    }

    /// <summary>Where a hashed value falls in [0, 1).</summary>
    public static double Position(uint hash) => hash * Scale;
}
