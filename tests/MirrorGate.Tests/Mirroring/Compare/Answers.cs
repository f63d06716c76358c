using System.Text;
using MirrorGate.Mirroring.Compare;

namespace MirrorGate.Tests.Mirroring.Compare;

/// <summary>Builds captured answers for comparer tests.</summary>
internal static class Answers
{
    public static CapturedResponse Json(string body, int status = 200, params (string Name, string Value)[] headers)
        => Make(status, Encoding.UTF8.GetBytes(body), [("Content-Type", "application/json"), .. headers]);

    public static CapturedResponse Text(string body, int status = 200, params (string Name, string Value)[] headers)
        => Make(status, Encoding.UTF8.GetBytes(body), [("Content-Type", "text/plain"), .. headers]);

    public static CapturedResponse Make(int status, byte[] body, (string Name, string Value)[] headers, long? bodyLength = null)
        => new()
        {
            Status = status,
            Headers = headers.Select(h => new KeyValuePair<string, string[]>(h.Name, [h.Value])).ToArray(),
            Body = body,
            BodyLength = bodyLength ?? body.Length,
        };

    public static CapturedResponse WithHeaders(params (string Name, string[] Values)[] headers)
        => new()
        {
            Status = 200,
            Headers = headers.Select(h => new KeyValuePair<string, string[]>(h.Name, h.Values)).ToArray(),
            Body = ReadOnlyMemory<byte>.Empty,
            BodyLength = 0,
        };
}
