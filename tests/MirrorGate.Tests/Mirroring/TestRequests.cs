using System.Net;
using MirrorGate.Mirroring;
using MirrorGate.Mirroring.Compare;

namespace MirrorGate.Tests.Mirroring;

/// <summary>Frozen mirror requests for tests that care about a copy's fate, not its head.</summary>
internal static class TestRequests
{
    /// <summary>A POST of <paramref name="bodyLength"/> bytes (none when null) to <paramref name="origin"/>, counted as route <paramref name="routeId"/>.</summary>
    public static MirrorRequest Post(
        MirrorMetrics metrics,
        MirrorMemoryBudget budget,
        string routeId,
        int? bodyLength,
        string origin = "http://127.0.0.1:9",
        string pathAndQuery = "/",
        MirrorCircuit? circuit = null,
        IMirrorAnswerSink? sink = null)
    {
        MirrorBodyBuffer? body = null;
        if (bodyLength is { } length)
        {
            body = new MirrorBodyBuffer(budget);
            Assert.True(body.TryAppend(new byte[length]));
        }

        return new MirrorRequest
        {
            Method = HttpMethod.Post,
            Origin = MirrorOrigin.Parse(origin),
            PathAndQuery = pathAndQuery,
            Version = HttpVersion.Version11,
            Host = "example.test",
            Headers = [],
            Body = body,
            Metrics = new MirrorTargetMetrics(metrics, routeId, origin),
            Circuit = circuit,
            AnswerSink = sink,
        };
    }
}
