using System.Globalization;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>What a mirror found in one copy, judged against the digest the client put on the primary.</summary>
internal enum CopyVerdict
{
    /// <summary>The whole body arrived and its SHA-256 is the client's.</summary>
    Exact,

    /// <summary>A whole body by its framing, but not the client's bytes: the defect rule 9 forbids.</summary>
    Altered,

    /// <summary>The body ended early: the connection was cut (or the mirror cut it) mid-body.</summary>
    Incomplete,
}

/// <summary>
/// Primary requests that carry their own check: an id and the SHA-256 of their body in headers,
/// which the mirror receives with the copy (it gets the primary's headers), so a mirror can tell
/// an exact copy from an altered or cut one without knowing the test.
/// </summary>
internal static class DigestedCopy
{
    public const string IdHeader = "X-Copy-Id";
    public const string DigestHeader = "X-Body-Sha256";

    /// <summary>A POST of <paramref name="body"/> with Content-Length, or chunked; <paramref name="cut"/> is a <see cref="WireCut"/> instruction.</summary>
    public static HttpRequestMessage Post(string url, string id, byte[] body, bool chunked = false, string? cut = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = chunked ? new ChunkedContent(body) : new ByteArrayContent(body),
        };
        request.Headers.Add(IdHeader, id);
        request.Headers.Add(DigestHeader, MirrorTestKit.Sha256(body));
        if (cut is not null)
        {
            request.Headers.Add(WireCut.Header, cut);
        }

        return request;
    }

    /// <summary>Sends <paramref name="request"/> and fails the test unless the primary answered 200.</summary>
    public static async Task SendAsync(HttpClient client, HttpRequestMessage request)
    {
        var id = request.Headers.GetValues(IdHeader).Single();
        using (request)
        using (var response = await client.SendAsync(request))
        {
            Assert.True((int)response.StatusCode == 200, $"primary {id} answered {(int)response.StatusCode}");
        }
    }

    public static string? Id(RecordedRequest copy) => copy.Header(IdHeader);

    public static CopyVerdict Verdict(RecordedRequest copy)
        => !copy.BodyComplete ? CopyVerdict.Incomplete
            : string.Equals(copy.Header(DigestHeader), MirrorTestKit.Sha256(copy.Body), StringComparison.OrdinalIgnoreCase) ? CopyVerdict.Exact
            : CopyVerdict.Altered;

    /// <summary>Random bodies of the given sizes, each different, reproducible from <paramref name="seed"/>.</summary>
    public static byte[][] Bodies(int seed, params int[] sizes)
        => [.. sizes.Select((size, i) => MirrorTestKit.RandomBytes(size, seed * 1000 + i))];

    public static string IdOf(string prefix, int i) => prefix + "-" + i.ToString(CultureInfo.InvariantCulture);
}
