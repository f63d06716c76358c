using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.Mirroring.Compare;

namespace MirrorGate.FunctionalTests.Admin;

/// <summary>
/// <c>/apisix/admin/mirror/mismatches</c> over the node's real Admin API listener, reading what the
/// node's own <see cref="CompareResults"/> recorded.
/// </summary>
public sealed class MirrorMismatchApiTests
{
    private const string ViewerWriting = """{"error_msg":"failed to check token","description":"invalid method for role viewer"}""";

    private static CapturedResponse Answer(string body, int status = 200) => new()
    {
        Status = status,
        Headers = [new("Content-Type", ["application/json"]), new("Set-Cookie", ["sid=secret"])],
        Body = System.Text.Encoding.UTF8.GetBytes(body),
        BodyLength = System.Text.Encoding.UTF8.GetByteCount(body),
    };

    /// <summary>
    /// A node whose routes compare the targets the tests record for (results of a route and target
    /// the configuration does not compare are counted but not kept).
    /// </summary>
    private static async Task<GatewayNode> StartComparingAsync(string? pluginAttrYaml = null)
    {
        var node = await GatewayNode.StartAsync(pluginAttrYaml: pluginAttrYaml);
        foreach (var (routeId, targets) in new[] { ("1", new[] { "v2", "v3" }), ("2", ["v2", "canary"]), ("route.two", ["v2"]) })
        {
            var list = string.Join(",", targets.Select(t => "{\"name\":\"" + t + "\",\"host\":\"http://127.0.0.1:9\",\"compare\":{}}"));
            await node.PutRouteAsync(
                routeId,
                "{\"uri\":\"/compared/" + routeId + "\",\"upstream\":{\"type\":\"roundrobin\",\"nodes\":{\"127.0.0.1:9\":1}},"
                + "\"plugins\":{\"proxy-mirror\":{\"targets\":[" + list + "]}}}");
        }

        return node;
    }

    /// <summary>Compares and records as the integrated mirror leg will: outcome, then a record when it is a mismatch.</summary>
    private static void CompareAndRecord(GatewayNode node, string routeId, string target, string primaryBody, string candidateBody, string path = "/items")
    {
        var results = node.Services.GetRequiredService<CompareResults>();
        var options = CompareOptions.FromJson(new JsonObject { ["redact_json_paths"] = new JsonArray("$.token") });
        var primary = Answer(primaryBody);
        var candidate = Answer(candidateBody, 201);
        var outcome = ResponseComparer.Compare(primary, candidate, null, options);
        var record = outcome.Result == CompareResult.Mismatch
            ? MismatchRecord.Create(DateTimeOffset.UtcNow, routeId, target, "GET", path, primary, candidate, null, outcome)
            : null;
        results.Record(routeId, target, outcome, record, options.KeepMismatches);
    }

    [Fact]
    public async Task Get_All_CountsAndRecordsPerRouteAndTarget()
    {
        await using var node = await StartComparingAsync();
        CompareAndRecord(node, "1", "v2", """{"price":1,"token":"t-primary"}""", """{"price":2,"token":"t-candidate"}""");
        node.Services.GetRequiredService<CompareResults>().Skipped("1", "v2", CompareResults.SkipReasons.Budget);
        node.Services.GetRequiredService<CompareResults>().Skipped("2", "canary", CompareResults.SkipReasons.NoAnswer);

        var answer = await AdminCall.GetAsync(node, "/apisix/admin/mirror/mismatches");

        Assert.Equal(200, answer.Status);
        Assert.Equal("application/json", answer.ContentType);
        Assert.Equal("v3", answer.ApiVersion);
        Assert.Equal(2, answer.Json["total"]!.GetValue<int>());
        var first = answer.Json["list"]![0]!;
        Assert.Equal("1", first["route_id"]!.GetValue<string>());
        Assert.Equal("v2", first["target"]!.GetValue<string>());
        Assert.Equal("""{"match":0,"mismatch":1,"noise":0,"skipped":1}""", first["counts"]!.ToJsonString());
        var record = first["mismatches"]![0]!;
        Assert.Equal(200, record["primary_status"]!.GetValue<int>());
        Assert.Equal(201, record["candidate_status"]!.GetValue<int>());
        Assert.Equal("/items", record["request"]!["path"]!.GetValue<string>());
        var locations = record["differences"]!.AsArray().Select(d => d!["location"]!.GetValue<string>()).ToArray();
        Assert.Equal(["status", "$.price", "$.token"], locations);
        Assert.DoesNotContain("t-primary", answer.Body);
        Assert.DoesNotContain("sid=secret", answer.Body);

        var second = answer.Json["list"]![1]!;
        Assert.Equal(("2", "canary"), (second["route_id"]!.GetValue<string>(), second["target"]!.GetValue<string>()));
        Assert.Empty(second["mismatches"]!.AsArray());

        Assert.Equal(1, await node.MetricAsync("mirrorgate_mirror_compare_total", """{result="mismatch",route="1",target="v2"}"""));
        Assert.Equal(1, await node.MetricAsync("mirrorgate_mirror_compare_skipped_total", """{reason="budget",route="1",target="v2"}"""));
    }

    [Fact]
    public async Task Get_OneRouteAndTarget_Filtered()
    {
        await using var node = await StartComparingAsync();
        CompareAndRecord(node, "1", "v2", """{"a":1}""", """{"a":2}""");
        CompareAndRecord(node, "1", "v3", """{"a":1}""", """{"a":3}""");
        CompareAndRecord(node, "route.two", "v2", """{"a":1}""", """{"a":4}""");

        var route = await AdminCall.GetAsync(node, "/apisix/admin/mirror/mismatches/1");
        var target = await AdminCall.GetAsync(node, "/apisix/admin/mirror/mismatches/1?target=v3");
        var dotted = await AdminCall.GetAsync(node, "/apisix/admin/mirror/mismatches/route.two");
        var unknown = await AdminCall.GetAsync(node, "/apisix/admin/mirror/mismatches/nope");

        Assert.Equal(["v2", "v3"], route.Json["list"]!.AsArray().Select(v => v!["target"]!.GetValue<string>()));
        Assert.Equal("v3", Assert.Single(target.Json["list"]!.AsArray())!["target"]!.GetValue<string>());
        Assert.Equal("route.two", Assert.Single(dotted.Json["list"]!.AsArray())!["route_id"]!.GetValue<string>());
        Assert.Equal(200, unknown.Status);
        Assert.Equal("""{"list":[],"total":0}""", unknown.Body);
    }

    [Fact]
    public async Task Get_ViewerKey_Allowed()
    {
        await using var node = await StartComparingAsync();
        CompareAndRecord(node, "1", "v2", """{"a":1}""", """{"a":2}""");

        var all = await AdminCall.SendAsync(node, HttpMethod.Get, "/apisix/admin/mirror/mismatches", key: GatewayNode.ViewerKey);
        var one = await AdminCall.SendAsync(node, HttpMethod.Get, "/apisix/admin/mirror/mismatches/1", key: GatewayNode.ViewerKey);

        Assert.Equal(200, all.Status);
        Assert.Equal(1, all.Json["total"]!.GetValue<int>());
        Assert.Equal(200, one.Status);
        Assert.Equal(1, one.Json["total"]!.GetValue<int>());
    }

    [Fact]
    public async Task Get_NoKey_401()
    {
        await using var node = await StartComparingAsync();
        var answer = await AdminCall.SendAsync(node, HttpMethod.Get, "/apisix/admin/mirror/mismatches", key: null);
        Assert.Equal(401, answer.Status);
    }

    [Fact]
    public async Task Delete_ViewerKey_RefusedAndNothingCleared()
    {
        await using var node = await StartComparingAsync();
        CompareAndRecord(node, "1", "v2", """{"a":1}""", """{"a":2}""");

        var answer = await AdminCall.SendAsync(node, HttpMethod.Delete, "/apisix/admin/mirror/mismatches/1", key: GatewayNode.ViewerKey);

        Assert.Equal(401, answer.Status);
        Assert.Equal(ViewerWriting, answer.Body);
        Assert.Single(node.Services.GetRequiredService<CompareResults>().Views());
    }

    [Fact]
    public async Task Delete_AdminKey_ClearsRouteThenAll()
    {
        await using var node = await StartComparingAsync();
        CompareAndRecord(node, "1", "v2", """{"a":1}""", """{"a":2}""");
        CompareAndRecord(node, "1", "v3", """{"a":1}""", """{"a":2}""");
        CompareAndRecord(node, "2", "v2", """{"a":1}""", """{"a":2}""");

        var target = await AdminCall.DeleteAsync(node, "/apisix/admin/mirror/mismatches/1?target=v3");
        Assert.Equal((200, """{"deleted":1}"""), (target.Status, target.Body));
        Assert.Equal(2, (await AdminCall.GetAsync(node, "/apisix/admin/mirror/mismatches")).Json["total"]!.GetValue<int>());

        var all = await AdminCall.DeleteAsync(node, "/apisix/admin/mirror/mismatches");
        Assert.Equal((200, """{"deleted":2}"""), (all.Status, all.Body));
        Assert.Equal("""{"list":[],"total":0}""", (await AdminCall.GetAsync(node, "/apisix/admin/mirror/mismatches")).Body);
    }

    [Theory]
    [InlineData("/apisix/admin/mirror")]
    [InlineData("/apisix/admin/mirror/other")]
    [InlineData("/apisix/admin/mirror/mismatches/1/extra")]
    public async Task Get_UnknownMirrorPath_404(string path)
    {
        await using var node = await StartComparingAsync();
        AdminCall.AssertError(await AdminCall.GetAsync(node, path), 404, "not found");
    }

    [Fact]
    public async Task Put_Mismatches_405()
    {
        await using var node = await StartComparingAsync();
        var answer = await AdminCall.PutAsync(node, "/apisix/admin/mirror/mismatches/1", "{}");
        AdminCall.AssertError(answer, 405, "method PUT is not allowed on mirror mismatches: GET reads them, DELETE clears them");
    }

    [Fact]
    public async Task Record_WithCompareLog_LineInTheFile()
    {
        var log = Path.Combine(Path.GetTempPath(), "mirrorgate-tests", $"mismatches-{Guid.NewGuid():N}.jsonl");
        await using var node = await StartComparingAsync(pluginAttrYaml: $"  proxy-mirror:\n    compare_log: {log}\n    compare_max_bytes: 1m");
        CompareAndRecord(node, "1", "v2", """{"a":1}""", """{"a":2}""", path: "/logged");
        Assert.Equal(1024 * 1024, node.Services.GetRequiredService<MirrorGate.Hosting.NodeSettings>().Mirror.CompareMaxBytes);

        // The node's writer is the one CompareResults hands records to; flushing it is the signal.
        await FlushNodeLogAsync(node);
        var line = Assert.Single(await File.ReadAllLinesAsync(log));
        Assert.Equal("/logged", JsonNode.Parse(line)!["request"]!["path"]!.GetValue<string>());
        File.Delete(log);
    }

    private static Task FlushNodeLogAsync(GatewayNode node)
        => node.Services.GetRequiredService<CompareResults>().FlushLogAsync();
}
