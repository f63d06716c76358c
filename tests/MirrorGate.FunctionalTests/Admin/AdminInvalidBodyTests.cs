using System.Text;
using System.Text.Json.Nodes;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Admin;

/// <summary>
/// A body that is not one strict JSON text (a key twice, a lone surrogate escape, bytes that are
/// not UTF-8) answers 400 "invalid request body: ..." on every write path and stores nothing.
/// </summary>
public sealed class AdminInvalidBodyTests
{
    private static readonly Dictionary<string, string> Valid = new()
    {
        ["routes"] = """{"uri":"/a","upstream":{"nodes":{"127.0.0.1:1980":1}}}""",
        ["services"] = """{"upstream":{"nodes":{"127.0.0.1:1980":1}}}""",
        ["upstreams"] = """{"nodes":{"127.0.0.1:1980":1}}""",
    };

    // Each fault in a whole body and in a sub-path body; "\xFF" stands for a byte that is not UTF-8.
    private static readonly (string Fault, string Whole, string SubPath)[] Faults =
    [
        ("duplicate key", """{"desc":"a","desc":"b"}""", """{"x":1,"x":2}"""),
        ("lone surrogate", """{"desc":"\ud83d"}""", "\"\\ud83d\""),
        ("not UTF-8", "{\"desc\":\"\xFF\"}", "\"\xFF\""),
    ];

    [Fact]
    public async Task Write_InvalidBody_400InvalidRequestBodyAndNothingChanged()
    {
        await using var gateway = await GatewayNode.StartAsync();
        foreach (var (resource, body) in Valid)
        {
            Assert.Equal(201, (await AdminCall.PutAsync(gateway, $"/apisix/admin/{resource}/1", body)).Status);
        }

        var before = await SnapshotAsync(gateway);
        foreach (var (resource, whole) in Valid)
        {
            foreach (var (fault, faultyWhole, faultySubPath) in Faults)
            {
                var merged = whole[..^1] + "," + faultyWhole[1..];
                await AssertRejectedAsync(gateway, HttpMethod.Put, $"/apisix/admin/{resource}/2", merged, fault);
                await AssertRejectedAsync(gateway, HttpMethod.Post, $"/apisix/admin/{resource}", merged, fault);
                await AssertRejectedAsync(gateway, HttpMethod.Patch, $"/apisix/admin/{resource}/1", faultyWhole, fault);
                await AssertRejectedAsync(gateway, HttpMethod.Patch, $"/apisix/admin/{resource}/1/desc", faultySubPath, fault);
            }
        }

        Assert.Equal(before, await SnapshotAsync(gateway));
    }

    private static async Task AssertRejectedAsync(GatewayNode gateway, HttpMethod method, string path, string body, string fault)
    {
        // The body is ASCII apart from the fault, so Latin-1 sends U+00FF as the lone byte 0xFF.
        var bytes = fault == "not UTF-8" ? Encoding.Latin1.GetBytes(body) : Encoding.UTF8.GetBytes(body);
        var answer = await AdminCall.SendAsync(gateway, method, path, bytes, r => r.Headers.Add("X-API-KEY", GatewayNode.AdminKey));

        var where = $"{method} {path} ({fault})";
        Assert.True(answer.Status == 400, $"{where}: {answer.Status} {answer.Body}");
        var json = Assert.IsType<JsonObject>(answer.Json);
        Assert.StartsWith("invalid request body: ", json["error_msg"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static async Task<string> SnapshotAsync(GatewayNode gateway)
    {
        var text = new StringBuilder();
        foreach (var resource in Valid.Keys)
        {
            text.AppendLine((await AdminCall.GetAsync(gateway, $"/apisix/admin/{resource}")).Body);
        }

        return text.ToString();
    }
}
