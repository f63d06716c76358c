using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MirrorGate.FunctionalTests.Admin;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.Mirroring.Compare;
using static MirrorGate.FunctionalTests.Plugins.MirrorTestKit;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// proxy-mirror's response comparison end to end, with a real gateway node, a real upstream
/// (the primary) and real mirror servers (the candidate and the noise host) answering chosen
/// JSON or bytes: results in the metrics, mismatch records in the Admin API and the
/// <c>compare_log</c> file, skips, redaction, and what each side received.
/// </summary>
public sealed class ProxyMirrorCompareTests
{
    private const string Compared = "mirrorgate_mirror_compare_total";
    private const string Skipped = "mirrorgate_mirror_compare_skipped_total";

    private static string Result(string value) => Label("result", value);

    private static string Reason(string value) => Label("reason", value);

    /// <summary>Answers <paramref name="json"/> with <paramref name="status"/>, a Content-Length and the given headers.</summary>
    private static Task AnswerAsync(HttpContext http, string json, int status = 200, params (string Name, string Value)[] headers)
        => AnswerBytesAsync(http, Encoding.UTF8.GetBytes(json), "application/json", status, headers);

    private static async Task AnswerBytesAsync(HttpContext http, byte[] body, string contentType, int status = 200, params (string Name, string Value)[] headers)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = contentType;
        foreach (var (name, value) in headers)
        {
            http.Response.Headers.Append(name, value);
        }

        http.Response.ContentLength = body.Length;
        await http.Response.Body.WriteAsync(body);
    }

    private static string Query(HttpContext http, string name) => http.Request.Query[name].ToString();

    /// <summary>Sends a GET through the gateway and returns the client's status and body.</summary>
    private static async Task<(int Status, byte[] Body)> GetAsync(GatewayNode gateway, string pathAndQuery)
    {
        using var response = await gateway.Client.GetAsync(gateway.ProxyUrl + pathAndQuery);
        return ((int)response.StatusCode, await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>The Admin API's entry for one route and target (the only one the filter leaves).</summary>
    private static async Task<JsonNode> EntryAsync(GatewayNode gateway, string routeId, string target, string? key = GatewayNode.AdminKey)
    {
        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Get, $"/apisix/admin/mirror/mismatches/{routeId}?target={Uri.EscapeDataString(target)}", key: key);
        Assert.True(answer.Status == 200, $"{answer.Status}: {answer.Body}");
        return Assert.Single(answer.Json["list"]!.AsArray())!;
    }

    private static JsonNode[] Records(JsonNode entry) => entry["mismatches"]!.AsArray().Select(r => r!).ToArray();

    private static string? Text(JsonNode? node) => node?.GetValue<string>();

    /// <summary>A record's differences as <c>kind|location|primary|candidate|detail</c> lines (absent values read "null").</summary>
    private static string[] Differences(JsonNode record)
        => record["differences"]!.AsArray()
            .Select(d => string.Join('|', Text(d!["kind"]), Text(d["location"]), Text(d["primary"]) ?? "null", Text(d["candidate"]) ?? "null", Text(d["detail"]) ?? "null"))
            .ToArray();

    private static JsonNode RecordFor(JsonNode entry, string path)
    {
        var records = Records(entry).Where(r => Text(r["request"]!["path"]) == path).ToArray();
        Assert.True(records.Length == 1, $"expected one record for {path} in {entry.ToJsonString()}");
        return records[0];
    }

    [Fact]
    public async Task Get_SameJsonOtherKeyOrderDateAndServer_MatchNoRecord()
    {
        const int requests = 5;
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        upstream.Respond = http => AnswerAsync(http,
            $$"""{"id":{{Query(http, "i")}},"name":"widget","tags":["a","b"],"price":{"amount":10,"currency":"EUR"} }""",
            headers: [("Server", "primary-server/1.0"), ("Date", "Mon, 01 Jan 2024 00:00:00 GMT"), ("X-Api-Version", "3")]);
        mirror.Respond = http => AnswerAsync(http,
            $$"""{"price":{"currency":"EUR","amount":10.0},"tags":["a","b"],"name":"widget","id":{{Query(http, "i")}}}""",
            headers: [("Server", "candidate-server/2.0"), ("Date", "Tue, 02 Jan 2024 12:34:56 GMT"), ("X-Api-Version", "3")]);
        await using var gateway = await GatewayNode.StartAsync();
        var target = $"http://{mirror.Address}";
        await gateway.PutRouteAsync("1", Route("/items", $$""" "host":"{{target}}","compare":{} """, upstream.Address));

        for (var i = 0; i < requests; i++)
        {
            var (status, body) = await GetAsync(gateway, $"/items?i={i}");
            Assert.Equal(200, status);
            Assert.StartsWith($$"""{"id":{{i}},""", Encoding.UTF8.GetString(body));
        }

        await WaitForMetricAsync(gateway, requests, Compared, Label("route", "1"), Label("target", target));
        await mirror.WaitForCountAsync(requests);
        Assert.Equal(requests, await gateway.MetricSumAsync(Compared, Result("match")));
        Assert.Equal(0, await gateway.MetricSumAsync(Compared, Result("mismatch")));
        Assert.Equal(0, await gateway.MetricSumAsync(Compared, Result("skipped")));
        Assert.Equal(0, await gateway.MetricSumAsync(Compared, Result("noise")));

        var entry = await EntryAsync(gateway, "1", target);
        Assert.Equal($$"""{"match":{{requests}},"mismatch":0,"noise":0,"skipped":0}""", entry["counts"]!.ToJsonString());
        Assert.Empty(Records(entry));
        Assert.Equal(requests, upstream.Count);
        await WaitForMetricAtMostAsync(gateway, 0, "mirrorgate_mirror_compare_buffered_bytes");
    }

    [Fact]
    public async Task Get_FieldStatusAndHeaderDifferences_RecordedWithBothValuesIgnoredPathNotCounted()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        var served = 0;

        // Every answer carries its own served_at, which the route ignores.
        string Stamp() => $"\"served_at\":\"t-{Interlocked.Increment(ref served)}\"";
        upstream.Respond = http => Query(http, "case") switch
        {
            "field" => AnswerAsync(http, $$"""{"id":1,"price":10,"currency":"EUR",{{Stamp()}}}"""),
            "status" => AnswerAsync(http, $$"""{"ok":true,{{Stamp()}}}"""),
            "header" => AnswerAsync(http, $$"""{"ok":true,{{Stamp()}}}""", headers: [("X-Api-Version", "1"), ("X-Only-Primary", "p")]),
            _ => AnswerAsync(http, $$"""{"id":2,"price":20,{{Stamp()}}}"""),
        };
        mirror.Respond = http => Query(http, "case") switch
        {
            "field" => AnswerAsync(http, $$"""{"id":1,"price":12,"currency":"EUR",{{Stamp()}}}"""),
            "status" => AnswerAsync(http, $$"""{"ok":true,{{Stamp()}}}""", status: 500),
            "header" => AnswerAsync(http, $$"""{"ok":true,{{Stamp()}}}""", headers: [("X-Api-Version", "2"), ("X-Only-Candidate", "c")]),
            _ => AnswerAsync(http, $$"""{"price":20,"id":2,{{Stamp()}}}"""),
        };
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("m", Route("/m", $$"""
            "targets":[{"name":"v2","host":"http://{{mirror.Address}}","compare":{"ignore_json_paths":["$.served_at"]} }]
            """, upstream.Address));

        foreach (var kind in new[] { "field", "status", "header", "same" })
        {
            var (status, body) = await GetAsync(gateway, $"/m?case={kind}");
            Assert.Equal(200, status); // the client always gets the primary's answer
            Assert.DoesNotContain("\"price\":12", Encoding.UTF8.GetString(body));
        }

        await WaitForMetricAsync(gateway, 4, Compared, Label("route", "m"), Label("target", "v2"));
        Assert.Equal(3, await gateway.MetricSumAsync(Compared, Label("target", "v2"), Result("mismatch")));
        Assert.Equal(1, await gateway.MetricSumAsync(Compared, Label("target", "v2"), Result("match")));

        var entry = await EntryAsync(gateway, "m", "v2");
        Assert.Equal("""{"match":1,"mismatch":3,"noise":0,"skipped":0}""", entry["counts"]!.ToJsonString());
        Assert.Equal(3, Records(entry).Length);

        var field = RecordFor(entry, "/m?case=field");
        Assert.Equal("m", Text(field["route_id"]));
        Assert.Equal("v2", Text(field["target"]));
        Assert.Equal("GET", Text(field["request"]!["method"]));
        Assert.Equal((200, 200), (field["primary_status"]!.GetValue<int>(), field["candidate_status"]!.GetValue<int>()));
        Assert.Null(field["noise_status"]);
        Assert.Equal("json", Text(field["body_comparison"]));
        Assert.Equal(1, field["difference_count"]!.GetValue<int>());
        Assert.Equal(0, field["noise_count"]!.GetValue<int>());
        Assert.Equal(["json|$.price|10|12|null"], Differences(field));

        var status500 = RecordFor(entry, "/m?case=status");
        Assert.Equal((200, 500), (status500["primary_status"]!.GetValue<int>(), status500["candidate_status"]!.GetValue<int>()));
        Assert.Equal(["status|status|200|500|null"], Differences(status500));

        var header = RecordFor(entry, "/m?case=header");
        Assert.Equal(
            new[]
            {
                "header|x-api-version|1|2|null",
                "header|x-only-candidate|null|c|absent from the primary",
                "header|x-only-primary|p|null|absent from the candidate",
            },
            Differences(header).Order(StringComparer.Ordinal));
        Assert.Equal(3, header["difference_count"]!.GetValue<int>());

        // What the client got and the mirror got: the same requests, each its own answer.
        Assert.Equal(4, upstream.Count);
        Assert.Equal(["/m?case=field", "/m?case=header", "/m?case=same", "/m?case=status"], mirror.Requests.Select(r => r.RawTarget).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Get_NoiseHost_StampedFieldsAreNoiseOnlyTheRealDifferenceIsAMismatch()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var candidate = await RecordingServer.StartAsync();
        await using var noise = await RecordingServer.StartAsync();

        // Every answer of every instance is stamped with values of its own: noise, not a change.
        static string Stamped(int total) => $$"""{"total":{{total}},"served_at":"{{Guid.NewGuid():N}}","trace":{"id":"{{Guid.NewGuid():N}}","span":7} }""";
        upstream.Respond = http => AnswerAsync(http, Stamped(100));
        noise.Respond = http => AnswerAsync(http, Stamped(100));
        candidate.Respond = http => AnswerAsync(http, Stamped(Query(http, "real") == "1" ? 99 : 100));
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("n", Route("/n", $$"""
            "targets":[{"name":"v2","host":"http://{{candidate.Address}}","compare":{"noise_host":"http://{{noise.Address}}"} }]
            """, upstream.Address));

        var sent = new[] { "/n?real=1&k=0", "/n?real=0&k=1", "/n?real=1&k=2", "/n?real=0&k=3", "/n?real=1&k=4", "/n?real=0&k=5" };
        foreach (var path in sent)
        {
            var (status, body) = await GetAsync(gateway, path);
            Assert.Equal(200, status);
            Assert.StartsWith("""{"total":100,""", Encoding.UTF8.GetString(body));
        }

        await WaitForMetricAsync(gateway, sent.Length, Compared, Label("route", "n"), Label("target", "v2"));
        Assert.Equal(3, await gateway.MetricSumAsync(Compared, Label("target", "v2"), Result("mismatch")));
        Assert.Equal(3, await gateway.MetricSumAsync(Compared, Label("target", "v2"), Result("noise")));
        Assert.Equal(0, await gateway.MetricSumAsync(Compared, Label("target", "v2"), Result("match")));

        // The noise host got its own copy of each request, counted under its own label.
        await noise.WaitForCountAsync(sent.Length);
        Assert.Equal(sent.Order(StringComparer.Ordinal), noise.Requests.Select(r => r.RawTarget).Order(StringComparer.Ordinal));
        Assert.Equal(sent.Order(StringComparer.Ordinal), candidate.Requests.Select(r => r.RawTarget).Order(StringComparer.Ordinal));
        await WaitForMetricAsync(gateway, sent.Length, "mirrorgate_mirror_sent_total", Label("target", "v2/noise"));
        Assert.Equal(sent.Length, await gateway.MetricSumAsync("mirrorgate_mirror_sent_total", Label("target", "v2")));

        var entry = await EntryAsync(gateway, "n", "v2");
        Assert.Equal("""{"match":0,"mismatch":3,"noise":3,"skipped":0}""", entry["counts"]!.ToJsonString());
        var records = Records(entry);
        Assert.Equal(["/n?real=1&k=0", "/n?real=1&k=2", "/n?real=1&k=4"], records.Select(r => Text(r["request"]!["path"])!).Order(StringComparer.Ordinal));
        foreach (var record in records)
        {
            Assert.Equal(["json|$.total|100|99|null"], Differences(record));
            Assert.Equal(1, record["difference_count"]!.GetValue<int>());
            Assert.True(record["noise_count"]!.GetValue<int>() >= 1, record.ToJsonString());
            Assert.Equal(200, record["noise_status"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task Get_AnswersOverTheCompareBudget_SkippedBudgetCopiesStillSentClientsServedWhole()
    {
        const int requests = 5;
        var answer = Encoding.UTF8.GetBytes($$"""{"data":"{{new string('x', 2000)}}"}""");
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        upstream.Respond = http => AnswerBytesAsync(http, answer, "application/json");
        mirror.Respond = http => AnswerBytesAsync(http, answer, "application/json");
        await using var gateway = await GatewayNode.StartAsync(pluginAttrYaml: "  proxy-mirror:\n    compare_max_bytes: 100");
        await gateway.PutRouteAsync("b", Route("/b", $$"""
            "targets":[{"name":"v2","host":"http://{{mirror.Address}}","compare":{} }]
            """, upstream.Address));

        for (var i = 0; i < requests; i++)
        {
            var (status, body) = await GetAsync(gateway, $"/b?i={i}");
            Assert.Equal(200, status);
            Assert.Equal(Sha256(answer), Sha256(body));
        }

        await WaitForMetricAsync(gateway, requests, Skipped, Label("route", "b"), Label("target", "v2"), Reason("budget"));
        await mirror.WaitForCountAsync(requests);
        Assert.Equal(Enumerable.Range(0, requests).Select(i => $"/b?i={i}"), mirror.Requests.Select(r => r.RawTarget).Order(StringComparer.Ordinal));
        await WaitForMetricAsync(gateway, requests, "mirrorgate_mirror_sent_total", Label("target", "v2"));
        Assert.Equal(requests, await gateway.MetricSumAsync(Compared, Label("target", "v2"), Result("skipped")));
        Assert.Equal(requests, await gateway.MetricSumAsync(Compared, Label("target", "v2")));
        Assert.Equal(requests, await gateway.MetricSumAsync(Skipped));
        Assert.Equal(0, await gateway.MetricSumAsync("mirrorgate_mirror_failed_total"));
        await WaitForMetricAtMostAsync(gateway, 0, "mirrorgate_mirror_compare_buffered_bytes");
        Assert.Equal("""{"match":0,"mismatch":0,"noise":0,"skipped":5}""", (await EntryAsync(gateway, "b", "v2"))["counts"]!.ToJsonString());
    }

    [Fact]
    public async Task CompareMaxBytesRaisedInConfigYaml_ComparisonsResumeWithoutRestart()
    {
        var answer = Encoding.UTF8.GetBytes($$"""{"data":"{{new string('y', 2000)}}"}""");
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        upstream.Respond = http => AnswerBytesAsync(http, answer, "application/json");
        mirror.Respond = http => AnswerBytesAsync(http, answer, "application/json");
        await using var gateway = await GatewayNode.StartAsync(pluginAttrYaml: "  proxy-mirror:\n    compare_max_bytes: 100");
        await gateway.PutRouteAsync("cfg", Route("/cfg", $$"""
            "targets":[{"name":"v2","host":"http://{{mirror.Address}}","compare":{} }]
            """, upstream.Address));

        Assert.Equal(200, (await GetAsync(gateway, "/cfg?before=1")).Status);
        await WaitForMetricAsync(gateway, 1, Skipped, Label("route", "cfg"), Reason("budget"));

        var config = await File.ReadAllTextAsync(gateway.ConfigPath);
        Assert.Contains("compare_max_bytes: 100\n", config);
        await File.WriteAllTextAsync(gateway.ConfigPath, config.Replace("compare_max_bytes: 100\n", "compare_max_bytes: 1m\n", StringComparison.Ordinal));

        // The node re-reads config.yaml on its own; send until a comparison fits the new budget.
        var deadline = Stopwatch.StartNew();
        for (var i = 0; await gateway.MetricSumAsync(Compared, Label("route", "cfg"), Result("match")) < 1; i++)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), await gateway.MetricsAsync());
            Assert.Equal(200, (await GetAsync(gateway, $"/cfg?after={i}")).Status);
            await WaitForMetricAsync(gateway, i + 2, Compared, Label("route", "cfg"));
        }

        Assert.Equal(0, await gateway.MetricSumAsync(Compared, Label("route", "cfg"), Result("mismatch")));
    }

    [Fact]
    public async Task Get_MirrorRefusesConnections_SkippedNoAnswerPrimaryUnaffected()
    {
        const int requests = 8;
        await using var upstream = await RecordingServer.StartAsync();
        upstream.Respond = http => AnswerAsync(http, """{"primary":true}""");
        await using var gateway = await GatewayNode.StartAsync();
        var closed = $"http://127.0.0.1:{FreePort.Next()}";
        await gateway.PutRouteAsync("r", Route("/r", $$"""
            "targets":[{"name":"v2","host":"{{closed}}","compare":{} }]
            """, upstream.Address));

        for (var i = 0; i < requests; i++)
        {
            var (status, body) = await GetAsync(gateway, $"/r?i={i}");
            Assert.Equal(200, status);
            Assert.Equal("""{"primary":true}""", Encoding.UTF8.GetString(body));
        }

        // The first copies fail to connect; once the circuit opens the rest are dropped before any comparison starts.
        var (failed, _) = await WaitForUnreachableOutcomesAsync(gateway, requests, "connect");
        Assert.True(failed >= 1, $"failed {failed}");
        await WaitForMetricAsync(gateway, failed, Skipped, Label("route", "r"), Label("target", "v2"), Reason("no_answer"));
        Assert.Equal(failed, await gateway.MetricSumAsync(Compared, Label("target", "v2"), Result("skipped")));
        Assert.Equal(failed, await gateway.MetricSumAsync(Compared));
        Assert.Equal(requests, upstream.Count);
        await WaitForMetricAtMostAsync(gateway, 0, "mirrorgate_mirror_compare_buffered_bytes");
    }

    [Fact]
    public async Task Get_NoiseHostDown_SkippedNoiseNoAnswerCandidateStillGetsCopies()
    {
        const int requests = 6;
        await using var upstream = await RecordingServer.StartAsync();
        await using var candidate = await RecordingServer.StartAsync();
        upstream.Respond = http => AnswerAsync(http, """{"v":1}""");
        candidate.Respond = http => AnswerAsync(http, """{"v":2}""");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("z", Route("/z", $$"""
            "targets":[{"name":"v2","host":"http://{{candidate.Address}}","compare":{"noise_host":"http://127.0.0.1:{{FreePort.Next()}}"} }]
            """, upstream.Address));

        for (var i = 0; i < requests; i++)
        {
            var (status, body) = await GetAsync(gateway, $"/z?i={i}");
            Assert.Equal(200, status);
            Assert.Equal("""{"v":1}""", Encoding.UTF8.GetString(body));
        }

        // Failed to connect, or dropped once the noise host's circuit opened: never judged without its baseline.
        await WaitForMetricAsync(gateway, requests, Skipped, Label("route", "z"), Label("target", "v2"), Reason("noise_no_answer"));
        await candidate.WaitForCountAsync(requests);
        Assert.Equal(requests, await gateway.MetricSumAsync(Compared, Label("target", "v2")));
        Assert.Equal(0, await gateway.MetricSumAsync(Compared, Result("mismatch")));
        Assert.Equal(requests, await gateway.MetricSumAsync(Skipped));
        Assert.Empty(Records(await EntryAsync(gateway, "z", "v2")));
        Assert.Equal(requests, await gateway.MetricSumAsync("mirrorgate_mirror_sampled_total", Label("target", "v2/noise")));
    }

    [Fact]
    public async Task Post_Body_MirrorReceivesItExactlyAndTheAnswersAreCompared()
    {
        const int requests = 3;

        // Both sides answer with the length and digest of the body they received: a match means the mirror got the client's body.
        static Task Digest(HttpContext http, RecordingServer server)
        {
            var body = server.Requests.Last(r => r.RawTarget == http.Request.Path + http.Request.QueryString).Body;
            return AnswerAsync(http, $$"""{"sha256":"{{Convert.ToHexString(SHA256.HashData(body))}}","length":{{body.Length}}}""");
        }

        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        upstream.Respond = http => Digest(http, upstream);
        mirror.Respond = http => Digest(http, mirror);
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("p", Route("/orders", $$"""
            "targets":[{"name":"v2","host":"http://{{mirror.Address}}","compare":{} }]
            """, upstream.Address));

        var bodies = Enumerable.Range(0, requests).Select(i => RandomBytes(20_000 + (i * 7919), seed: 100 + i)).ToArray();
        for (var i = 0; i < requests; i++)
        {
            using var response = await gateway.Client.PostAsync($"{gateway.ProxyUrl}/orders?i={i}", new ByteArrayContent(bodies[i]));
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Contains(Sha256(bodies[i]), await response.Content.ReadAsStringAsync());
        }

        await WaitForMetricAsync(gateway, requests, Compared, Label("route", "p"), Label("target", "v2"));
        Assert.Equal(requests, await gateway.MetricSumAsync(Compared, Label("target", "v2"), Result("match")));
        for (var i = 0; i < requests; i++)
        {
            var copy = mirror.Requests.Single(r => r.RawTarget == $"/orders?i={i}");
            Assert.Equal("POST", copy.Method);
            Assert.True(copy.BodyComplete);
            Assert.Equal(Sha256(bodies[i]), Sha256(copy.Body));
        }
    }

    [Fact]
    public async Task Get_BodiesLongerThanBodyBytes_EachTargetComparesItsPrefixAndLengthsClientGetsTheWholeBody()
    {
        const int size = 100 * 1024;
        var primaryBody = RandomBytes(size, seed: 6);
        var sameBody = primaryBody.ToArray();
        var otherTail = primaryBody.ToArray();
        otherTail[size - 1] ^= 0xFF; // past both targets' body_bytes: compared by neither
        var otherMiddle = primaryBody.ToArray();
        otherMiddle[2000] ^= 0xFF; // past v2's 1024 bytes, within v3's 65536
        var longer = primaryBody.Append((byte)'!').ToArray();
        await using var upstream = await RecordingServer.StartAsync();
        await using var v2 = await RecordingServer.StartAsync();
        await using var v3 = await RecordingServer.StartAsync();
        upstream.Respond = http => AnswerBytesAsync(http, primaryBody, "application/octet-stream");
        Func<HttpContext, Task> candidate = http => Query(http, "case") switch
        {
            "tail" => AnswerBytesAsync(http, otherTail, "application/octet-stream"),
            "middle" => AnswerBytesAsync(http, otherMiddle, "application/octet-stream"),
            "longer" => AnswerBytesAsync(http, longer, "application/octet-stream"),
            _ => AnswerBytesAsync(http, sameBody, "application/octet-stream"),
        };
        v2.Respond = candidate;
        v3.Respond = candidate;
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("l", Route("/large", $$"""
            "targets":[{"name":"v2","host":"http://{{v2.Address}}","compare":{"body_bytes":1024} },
                       {"name":"v3","host":"http://{{v3.Address}}","compare":{"body_bytes":65536} }]
            """, upstream.Address));

        var cases = new[] { "same", "tail", "middle", "longer" };
        for (var i = 0; i < cases.Length; i++)
        {
            var (status, body) = await GetAsync(gateway, $"/large?case={cases[i]}");
            Assert.Equal(200, status);
            Assert.Equal(size, body.Length);
            Assert.Equal(Sha256(primaryBody), Sha256(body));

            // One at a time, so the records below say which case gave which result.
            await WaitForMetricAsync(gateway, i + 1, Compared, Label("route", "l"), Label("target", "v2"));
            await WaitForMetricAsync(gateway, i + 1, Compared, Label("route", "l"), Label("target", "v3"));
        }

        Assert.Equal(3, await gateway.MetricSumAsync(Compared, Label("target", "v2"), Result("match")));
        Assert.Equal(1, await gateway.MetricSumAsync(Compared, Label("target", "v2"), Result("mismatch")));
        var record = Assert.Single(Records(await EntryAsync(gateway, "l", "v2")));
        Assert.Equal("/large?case=longer", Text(record["request"]!["path"]));
        Assert.Equal("bytes_prefix", Text(record["body_comparison"]));
        Assert.Equal(
            [$"body|body|{size}|{size + 1}|bodies differ in length: lengths {size} and {size + 1} bytes; the comparison covered 1024 bytes"],
            Differences(record));

        Assert.Equal(2, await gateway.MetricSumAsync(Compared, Label("target", "v3"), Result("match")));
        Assert.Equal(2, await gateway.MetricSumAsync(Compared, Label("target", "v3"), Result("mismatch")));
        var v3Records = Records(await EntryAsync(gateway, "l", "v3"));
        Assert.Equal(
            [$"body|body|{size}|{size + 1}|bodies differ in length: lengths {size} and {size + 1} bytes; the comparison covered 65536 bytes"],
            Differences(RecordFor(await EntryAsync(gateway, "l", "v3"), "/large?case=longer")));
        Assert.Equal(
            [$"body|body|{size}|{size}|first difference at byte 2000; lengths {size} and {size} bytes; the comparison covered 65536 bytes"],
            Differences(RecordFor(await EntryAsync(gateway, "l", "v3"), "/large?case=middle")));
        Assert.Equal(2, v3Records.Length);
        await WaitForMetricAtMostAsync(gateway, 0, "mirrorgate_mirror_compare_buffered_bytes");
    }

    [Fact]
    public async Task Get_ChunkedAnswersSplitDifferently_ComparedAsWholeJsonDocuments()
    {
        // Neither side says how long its answer is: the primary and the mirror send chunks, cut at different places.
        static async Task ChunkedAsync(HttpContext http, string json, int cut)
        {
            http.Response.ContentType = "application/json";
            var bytes = Encoding.UTF8.GetBytes(json);
            await http.Response.Body.WriteAsync(bytes.AsMemory(0, cut));
            await http.Response.Body.FlushAsync();
            await http.Response.Body.WriteAsync(bytes.AsMemory(cut));
        }

        const string Items = """{"items":[{"sku":"a","qty":1},{"sku":"b","qty":2},{"sku":"c","qty":3}],"count":3}""";
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        upstream.Respond = http => ChunkedAsync(http, Items, 10);
        mirror.Respond = http => ChunkedAsync(http, Query(http, "case") == "diff" ? Items.Replace("\"qty\":2", "\"qty\":5", StringComparison.Ordinal) : Items, 40);
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("c", Route("/c", $$"""
            "targets":[{"name":"v2","host":"http://{{mirror.Address}}","compare":{} }]
            """, upstream.Address));

        foreach (var kind in new[] { "same", "diff" })
        {
            var (status, body) = await GetAsync(gateway, $"/c?case={kind}");
            Assert.Equal(200, status);
            Assert.Equal(Items, Encoding.UTF8.GetString(body));
        }

        await WaitForMetricAsync(gateway, 2, Compared, Label("route", "c"), Label("target", "v2"));
        Assert.Equal(1, await gateway.MetricSumAsync(Compared, Label("target", "v2"), Result("match")));
        var record = Assert.Single(Records(await EntryAsync(gateway, "c", "v2")));
        Assert.Equal("/c?case=diff", Text(record["request"]!["path"]));
        Assert.Equal("json", Text(record["body_comparison"]));
        Assert.Equal(["json|$.items[1].qty|2|5|null"], Differences(record));
    }

    [Fact]
    public async Task Get_UpstreamDown_TheGatewaysOwn502IsThePrimaryAnswerCompared()
    {
        await using var mirror = await RecordingServer.StartAsync();
        mirror.Respond = http => AnswerAsync(http, """{"ok":true}""");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("d", Route("/d", $$"""
            "targets":[{"name":"v2","host":"http://{{mirror.Address}}","compare":{} }]
            """, $"127.0.0.1:{FreePort.Next()}"));

        var (status, _) = await GetAsync(gateway, "/d");
        Assert.Equal(502, status);

        await WaitForMetricAsync(gateway, 1, Compared, Label("route", "d"), Label("target", "v2"));
        Assert.Equal(1, await gateway.MetricSumAsync(Compared, Label("target", "v2"), Result("mismatch")));
        var record = Assert.Single(Records(await EntryAsync(gateway, "d", "v2")));
        Assert.Equal((502, 200), (record["primary_status"]!.GetValue<int>(), record["candidate_status"]!.GetValue<int>()));
        Assert.Equal("status|status|502|200|null", Differences(record)[0]);
        Assert.Single(mirror.Requests);
    }

    [Fact]
    public async Task Head_AnswersWithoutBodies_ComparedByStatusAndHeaders()
    {
        static Task Head(HttpContext http, string version)
        {
            http.Response.ContentType = "application/json";
            http.Response.Headers["X-Version"] = version;
            http.Response.ContentLength = 1234;
            return Task.CompletedTask;
        }

        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        upstream.Respond = http => Head(http, "1");
        mirror.Respond = http => Head(http, Query(http, "case") == "diff" ? "2" : "1");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("h", Route("/h", $$"""
            "targets":[{"name":"v2","host":"http://{{mirror.Address}}","compare":{} }]
            """, upstream.Address));

        foreach (var kind in new[] { "same", "diff" })
        {
            using var response = await gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{gateway.ProxyUrl}/h?case={kind}"));
            Assert.Equal(200, (int)response.StatusCode);
        }

        await WaitForMetricAsync(gateway, 2, Compared, Label("route", "h"), Label("target", "v2"));
        Assert.Equal(1, await gateway.MetricSumAsync(Compared, Label("target", "v2"), Result("match")));
        var record = Assert.Single(Records(await EntryAsync(gateway, "h", "v2")));
        Assert.Equal("HEAD", Text(record["request"]!["method"]));
        Assert.Equal(["header|x-version|1|2|null"], Differences(record));
    }

    [Fact]
    public async Task Get_AnswersLongerThanTheMirrorLaneReads_ComparedByPrefixAndAnnouncedLength()
    {
        var big = RandomBytes(1536 * 1024, seed: 15);
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        upstream.Respond = http => AnswerBytesAsync(http, big, "application/octet-stream");
        mirror.Respond = http => AnswerBytesAsync(http, big, "application/octet-stream");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("g", Route("/g", $$"""
            "targets":[{"name":"v2","host":"http://{{mirror.Address}}","compare":{} }]
            """, upstream.Address));

        var (status, body) = await GetAsync(gateway, "/g");
        Assert.Equal(200, status);
        Assert.Equal(Sha256(big), Sha256(body));

        await WaitForMetricAsync(gateway, 1, Compared, Label("route", "g"), Label("target", "v2"));
        Assert.Equal(1, await gateway.MetricSumAsync(Compared, Label("target", "v2"), Result("match")));
    }

    [Fact]
    public async Task Get_ClientLeavesDuringThePrimaryAnswer_SkippedPrimaryIncomplete()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        upstream.Respond = async http =>
        {
            http.Response.ContentLength = 2 * 65536;
            await http.Response.Body.WriteAsync(new byte[65536]);
            await http.Response.Body.FlushAsync();
            await release.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await http.Response.Body.WriteAsync(new byte[65536]);
        };
        mirror.Respond = http => AnswerBytesAsync(http, new byte[2 * 65536], "application/octet-stream");
        try
        {
            await using var gateway = await GatewayNode.StartAsync();
            await gateway.PutRouteAsync("i", Route("/i", $$"""
                "targets":[{"name":"v2","host":"http://{{mirror.Address}}","compare":{} }]
                """, upstream.Address));

            using (var client = new HttpClient())
            {
                using var response = await client.GetAsync($"{gateway.ProxyUrl}/i", HttpCompletionOption.ResponseHeadersRead);
                var stream = await response.Content.ReadAsStreamAsync();
                Assert.True(await stream.ReadAsync(new byte[1024]) > 0);
            }

            await WaitForMetricAsync(gateway, 1, Skipped, Label("route", "i"), Label("target", "v2"), Reason("primary_incomplete"));
            Assert.Equal(1, await gateway.MetricSumAsync(Compared, Label("target", "v2")));
            await mirror.WaitForCountAsync(1);
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Fact]
    public async Task Get_NoiseHost_HeaderThatChangesOnEveryAnswerIsNoise()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var candidate = await RecordingServer.StartAsync();
        await using var noise = await RecordingServer.StartAsync();
        static Task Served(HttpContext http, string version)
            => AnswerAsync(http, """{"ok":true}""", headers: [("X-Served-By", Guid.NewGuid().ToString("N")), ("X-Version", version)]);
        upstream.Respond = http => Served(http, "1");
        noise.Respond = http => Served(http, "1");
        candidate.Respond = http => Served(http, Query(http, "case") == "diff" ? "2" : "1");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("hn", Route("/hn", $$"""
            "targets":[{"name":"v2","host":"http://{{candidate.Address}}","compare":{"noise_host":"http://{{noise.Address}}"} }]
            """, upstream.Address));

        foreach (var kind in new[] { "same", "diff" })
        {
            Assert.Equal(200, (await GetAsync(gateway, $"/hn?case={kind}")).Status);
        }

        await WaitForMetricAsync(gateway, 2, Compared, Label("route", "hn"), Label("target", "v2"));
        Assert.Equal(1, await gateway.MetricSumAsync(Compared, Label("target", "v2"), Result("noise")));
        var record = Assert.Single(Records(await EntryAsync(gateway, "hn", "v2")));
        Assert.Equal("/hn?case=diff", Text(record["request"]!["path"]));
        Assert.Equal(["header|x-version|1|2|null"], Differences(record));
        Assert.Equal(1, record["noise_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Post_Http2Client_ComparedLikeHttp11()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        upstream.Respond = http => AnswerAsync(http, $$"""{"got":{{http.Request.ContentLength ?? -1}},"v":1}""", headers: [("X-Version", "1")]);
        mirror.Respond = http => AnswerAsync(http, $$"""{"v":{{(Query(http, "case") == "diff" ? 2 : 1)}},"got":{{http.Request.ContentLength ?? -1}}}""", headers: [("X-Version", "1")]);
        await using var gateway = await GatewayNode.StartAsync(withHttp2Port: true);
        await gateway.PutRouteAsync("h2", Route("/h2", $$"""
            "targets":[{"name":"v2","host":"http://{{mirror.Address}}","compare":{} }]
            """, upstream.Address));

        using var client = new HttpClient();
        foreach (var kind in new[] { "same", "diff" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{gateway.Http2Port}/h2?case={kind}")
            {
                Version = System.Net.HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
                Content = new ByteArrayContent(RandomBytes(5000, seed: 2)),
            };
            using var response = await client.SendAsync(request);
            Assert.Equal(System.Net.HttpVersion.Version20, response.Version);
            Assert.Equal(200, (int)response.StatusCode);
        }

        await WaitForMetricAsync(gateway, 2, Compared, Label("route", "h2"), Label("target", "v2"));
        Assert.Equal(1, await gateway.MetricSumAsync(Compared, Label("target", "v2"), Result("match")));
        var record = Assert.Single(Records(await EntryAsync(gateway, "h2", "v2")));
        Assert.Equal("/h2?case=diff", Text(record["request"]!["path"]));
        Assert.Equal(["json|$.v|1|2|null"], Differences(record));
    }

    [Fact]
    public async Task Get_RepeatedHeaders_JoinedInOrderOrderOfValuesMatters()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        upstream.Respond = http => AnswerAsync(http, "{}", headers: [("X-Multi", "a"), ("X-Multi", "b")]);
        mirror.Respond = http => Query(http, "case") switch
        {
            "reversed" => AnswerAsync(http, "{}", headers: [("X-Multi", "b"), ("X-Multi", "a")]),
            "one-line" => AnswerAsync(http, "{}", headers: [("X-Multi", "a, b")]),
            _ => AnswerAsync(http, "{}", headers: [("x-multi", "a"), ("X-MULTI", "b")]),
        };
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("rh", Route("/rh", $$"""
            "targets":[{"name":"v2","host":"http://{{mirror.Address}}","compare":{} }]
            """, upstream.Address));

        var cases = new[] { "same", "one-line", "reversed" };
        foreach (var kind in cases)
        {
            Assert.Equal(200, (await GetAsync(gateway, $"/rh?case={kind}")).Status);
        }

        await WaitForMetricAsync(gateway, cases.Length, Compared, Label("route", "rh"), Label("target", "v2"));
        Assert.Equal(2, await gateway.MetricSumAsync(Compared, Label("target", "v2"), Result("match")));
        var record = Assert.Single(Records(await EntryAsync(gateway, "rh", "v2")));
        Assert.Equal("/rh?case=reversed", Text(record["request"]!["path"]));
        Assert.Equal(["header|x-multi|a, b|b, a|null"], Differences(record));
    }

    [Fact]
    public async Task Get_RedactedHeadersAndJsonPaths_RecordsShowRedactedNeverTheValues()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        upstream.Respond = http => AnswerAsync(http,
            """{"user":"ann","token":"tok-PRIMARY-4711","account":{"iban":"DE-PRIMARY-IBAN","pin":"PRIMARY-PIN"},"plan":"basic"}""",
            headers: [("X-Secret", "hdr-PRIMARY-secret"), ("Set-Cookie", "sid=PRIMARY-COOKIE")]);
        mirror.Respond = http => AnswerAsync(http,
            """{"user":"ann","token":"tok-CANDIDATE-0815","plan":"pro"}""",
            headers: [("X-Secret", "hdr-CANDIDATE-secret"), ("Set-Cookie", "sid=CANDIDATE-COOKIE")]);
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("s", Route("/s", $$"""
            "targets":[{"name":"v2","host":"http://{{mirror.Address}}",
                        "compare":{"redact_headers":["X-Secret"],"redact_json_paths":["$.token","$..pin"]} }]
            """, upstream.Address));

        var (status, body) = await GetAsync(gateway, "/s");
        Assert.Equal(200, status);
        Assert.Contains("tok-PRIMARY-4711", Encoding.UTF8.GetString(body)); // the client's answer is not redacted

        await WaitForMetricAsync(gateway, 1, Compared, Label("route", "s"), Result("mismatch"));
        var answer = await AdminCall.GetAsync(gateway, "/apisix/admin/mirror/mismatches/s");
        var record = Assert.Single(Records(Assert.Single(answer.Json["list"]!.AsArray())!));
        var differences = Differences(record);

        // Headers first (in the order the answer carried them), then the body's differences in document order.
        Assert.Equal(
            new[] { "header|set-cookie|[redacted]|[redacted]|null", "header|x-secret|[redacted]|[redacted]|null" },
            differences.Take(2).Order(StringComparer.Ordinal));
        Assert.Equal(
            [
                "json|$.token|\"[redacted]\"|\"[redacted]\"|null", // JSON values are compact JSON: a string, quoted
                """json|$.account|{"iban":"DE-PRIMARY-IBAN","pin":"[redacted]"}|null|absent from the candidate""",
                "json|$.plan|\"basic\"|\"pro\"|null",
            ],
            differences.Skip(2));
        foreach (var secret in new[] { "PRIMARY-4711", "CANDIDATE-0815", "PRIMARY-PIN", "hdr-PRIMARY", "hdr-CANDIDATE", "PRIMARY-COOKIE", "CANDIDATE-COOKIE" })
        {
            Assert.DoesNotContain(secret, answer.Body);
        }
    }

    [Fact]
    public async Task Get_KeepMismatches_BoundsTheListNewestFirstRemovingCompareLetsThemGo()
    {
        const int requests = 7;
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        upstream.Respond = http => AnswerAsync(http, $$"""{"n":{{Query(http, "n")}},"v":"old"}""");
        mirror.Respond = http => AnswerAsync(http, $$"""{"n":{{Query(http, "n")}},"v":"new"}""");
        await using var gateway = await GatewayNode.StartAsync();
        string RouteWith(string compare) => Route("/k", $$"""
            "targets":[{"name":"v2","host":"http://{{mirror.Address}}"{{compare}}}]
            """, upstream.Address);
        await gateway.PutRouteAsync("k", RouteWith(""","compare":{"keep_mismatches":3}"""));

        for (var i = 0; i < requests; i++)
        {
            Assert.Equal(200, (await GetAsync(gateway, $"/k?n={i}")).Status);
            await WaitForMetricAsync(gateway, i + 1, Compared, Label("route", "k"), Label("target", "v2"), Result("mismatch"));
        }

        var entry = await EntryAsync(gateway, "k", "v2");
        Assert.Equal($$"""{"match":0,"mismatch":{{requests}},"noise":0,"skipped":0}""", entry["counts"]!.ToJsonString());
        Assert.Equal(["/k?n=6", "/k?n=5", "/k?n=4"], Records(entry).Select(r => Text(r["request"]!["path"])));

        // The same target without its compare block: its results are let go once the route is in force.
        await gateway.PutRouteAsync("k", RouteWith(""));
        var deadline = Stopwatch.StartNew();
        AdminAnswer listed;
        while ((listed = await AdminCall.GetAsync(gateway, "/apisix/admin/mirror/mismatches/k")).Json["total"]!.GetValue<int>() != 0)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(30), listed.Body);
            await Task.Delay(25);
        }

        Assert.Equal("""{"list":[],"total":0}""", listed.Body);

        // The target still gets copies, now without comparisons.
        Assert.Equal(200, (await GetAsync(gateway, "/k?n=after")).Status);
        await mirror.WaitForCountAsync(requests + 1);
        await WaitForMetricAsync(gateway, requests + 1, "mirrorgate_mirror_sent_total", Label("target", "v2"));
        Assert.Equal(requests, await gateway.MetricSumAsync(Compared, Label("target", "v2")));
        Assert.Equal("""{"list":[],"total":0}""", (await AdminCall.GetAsync(gateway, "/apisix/admin/mirror/mismatches/k")).Body);
    }

    [Fact]
    public async Task Mismatches_ViewerKeyReadsCannotClear_AdminKeyClears()
    {
        await using var upstream = await RecordingServer.StartAsync();
        await using var mirror = await RecordingServer.StartAsync();
        upstream.Respond = http => AnswerAsync(http, """{"v":1}""");
        mirror.Respond = http => AnswerAsync(http, """{"v":2}""");
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("v", Route("/v", $$"""
            "targets":[{"name":"v2","host":"http://{{mirror.Address}}","compare":{} }]
            """, upstream.Address));
        Assert.Equal(200, (await GetAsync(gateway, "/v")).Status);
        await WaitForMetricAsync(gateway, 1, Compared, Label("route", "v"), Result("mismatch"));

        var viewed = await EntryAsync(gateway, "v", "v2", key: GatewayNode.ViewerKey);
        Assert.Equal(["json|$.v|1|2|null"], Differences(Assert.Single(Records(viewed))));
        var all = await AdminCall.SendAsync(gateway, HttpMethod.Get, "/apisix/admin/mirror/mismatches", key: GatewayNode.ViewerKey);
        Assert.Equal(200, all.Status);
        Assert.Equal(1, all.Json["total"]!.GetValue<int>());

        var refused = await AdminCall.SendAsync(gateway, HttpMethod.Delete, "/apisix/admin/mirror/mismatches/v", key: GatewayNode.ViewerKey);
        Assert.Equal(401, refused.Status);
        Assert.Equal("""{"error_msg":"failed to check token","description":"invalid method for role viewer"}""", refused.Body);
        Assert.Single(Records(await EntryAsync(gateway, "v", "v2")));

        var cleared = await AdminCall.DeleteAsync(gateway, "/apisix/admin/mirror/mismatches/v");
        Assert.Equal((200, """{"deleted":1}"""), (cleared.Status, cleared.Body));
        Assert.Equal("""{"list":[],"total":0}""", (await AdminCall.GetAsync(gateway, "/apisix/admin/mirror/mismatches/v")).Body);
    }

    [Fact]
    public async Task Get_CompareLog_OneJsonLinePerMismatchEvenWhenNoneAreKept()
    {
        var log = Path.Combine(Path.GetTempPath(), "mirrorgate-tests", $"compare-{Guid.NewGuid():N}", "mismatches.jsonl");
        try
        {
            await using var upstream = await RecordingServer.StartAsync();
            await using var mirror = await RecordingServer.StartAsync();
            static bool Differs(HttpContext http) => Query(http, "n").StartsWith("diff", StringComparison.Ordinal);
            upstream.Respond = http => AnswerAsync(http, $$"""{"n":"{{Query(http, "n")}}","v":1,"token":"PRIMARY-TOKEN"}""");
            mirror.Respond = http => AnswerAsync(http, Differs(http)
                ? $$"""{"n":"{{Query(http, "n")}}","v":2,"token":"CANDIDATE-TOKEN"}"""
                : $$"""{"n":"{{Query(http, "n")}}","v":1,"token":"PRIMARY-TOKEN"}""");
            await using var gateway = await GatewayNode.StartAsync(pluginAttrYaml: $"  proxy-mirror:\n    compare_log: {log}");
            await gateway.PutRouteAsync("log", Route("/log", $$"""
                "targets":[{"name":"v2","host":"http://{{mirror.Address}}",
                            "compare":{"keep_mismatches":0,"redact_json_paths":["$.token"]} }]
                """, upstream.Address));

            var sent = new[] { "diff-0", "same-1", "diff-2", "same-3", "diff-4" };
            foreach (var n in sent)
            {
                Assert.Equal(200, (await GetAsync(gateway, $"/log?n={n}")).Status);
            }

            await WaitForMetricAsync(gateway, sent.Length, Compared, Label("route", "log"), Label("target", "v2"));
            Assert.Equal(3, await gateway.MetricSumAsync(Compared, Label("target", "v2"), Result("mismatch")));
            Assert.Equal(2, await gateway.MetricSumAsync(Compared, Label("target", "v2"), Result("match")));

            // keep_mismatches 0: counted, none kept for the Admin API, every one written to the file.
            var entry = await EntryAsync(gateway, "log", "v2");
            Assert.Equal("""{"match":2,"mismatch":3,"noise":0,"skipped":0}""", entry["counts"]!.ToJsonString());
            Assert.Empty(Records(entry));

            await gateway.Services.GetRequiredService<CompareResults>().FlushLogAsync();
            var text = await File.ReadAllTextAsync(log);
            Assert.EndsWith("\n", text);
            Assert.DoesNotContain("TOKEN", text);
            var lines = text.TrimEnd('\n').Split('\n');
            Assert.Equal(3, lines.Length);
            var records = lines.Select(l => JsonNode.Parse(l)!).OrderBy(r => Text(r["request"]!["path"]), StringComparer.Ordinal).ToArray();
            Assert.Equal(["/log?n=diff-0", "/log?n=diff-2", "/log?n=diff-4"], records.Select(r => Text(r["request"]!["path"])));
            foreach (var record in records)
            {
                Assert.Equal("log", Text(record["route_id"]));
                Assert.Equal("v2", Text(record["target"]));
                Assert.Equal("GET", Text(record["request"]!["method"]));
                Assert.Equal("json", Text(record["body_comparison"]));
                Assert.Equal(["json|$.v|1|2|null", "json|$.token|\"[redacted]\"|\"[redacted]\"|null"], Differences(record));
                Assert.Equal(2, record["difference_count"]!.GetValue<int>());
                Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", Text(record["time"]));
            }

            Assert.Equal(0, await gateway.MetricSumAsync("mirrorgate_mirror_compare_log_dropped_total"));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(log)!, recursive: true);
        }
    }
}
