using System.Text.Json.Nodes;
using MirrorGate.Mirroring.Compare;

namespace MirrorGate.Tests.Mirroring.Compare;

public sealed class MismatchRecordTests
{
    internal static MismatchRecord Sample(string routeId = "1", string target = "v2", string path = "/items?page=2", int candidateStatus = 200)
    {
        var options = CompareOptions.FromJson((JsonObject)JsonNode.Parse("""{"redact_json_paths":["$.token"]}""")!);
        var primary = Answers.Json("""{"price":1.5,"token":"secret-a"}""", 200, ("Set-Cookie", "sid=1"));
        var candidate = Answers.Json("""{"price":2,"token":"secret-b"}""", candidateStatus, ("Set-Cookie", "sid=2"));
        var outcome = ResponseComparer.Compare(primary, candidate, null, options);
        return MismatchRecord.Create(new DateTimeOffset(2026, 11, 27, 11, 0, 0, 5, TimeSpan.FromHours(2)), routeId, target, "GET", path, primary, candidate, null, outcome);
    }

    [Fact]
    public void ToJson_StableSnakeCaseShape()
    {
        const string Expected = """
            {"time":"2026-11-27T09:00:00.005Z","route_id":"1","target":"v2","request":{"method":"GET","path":"/items?page=2"},
            "primary_status":200,"candidate_status":200,"noise_status":null,"body_comparison":"json","difference_count":3,"noise_count":0,"differences":[
            {"kind":"header","location":"set-cookie","primary":"[redacted]","candidate":"[redacted]","detail":null},
            {"kind":"json","location":"$.price","primary":"1.5","candidate":"2","detail":null},
            {"kind":"json","location":"$.token","primary":"\"[redacted]\"","candidate":"\"[redacted]\"","detail":null}]}
            """;
        Assert.Equal(
            Expected.Replace("\n", "", StringComparison.Ordinal),
            Sample().ToJson());
    }

    [Fact]
    public void ToJson_SecretsNeverWritten()
    {
        var json = Sample().ToJson();
        Assert.DoesNotContain("secret-", json);
        Assert.DoesNotContain("sid=", json);
    }

    [Fact]
    public void Create_LongPath_CutAt2KiB()
    {
        var record = Sample(path: "/" + new string('a', 5000));
        Assert.Equal(MismatchRecord.MaxPathChars, record.Request.Path.Length);
        Assert.EndsWith("...", record.Request.Path);
    }

    [Fact]
    public void Create_NoiseStatus_Kept()
    {
        var a = Answers.Text("a");
        var outcome = ResponseComparer.Compare(a, Answers.Text("b"), Answers.Text("a", 201), CompareOptions.Default);
        var record = MismatchRecord.Create(DateTimeOffset.UnixEpoch, "r", "t", "POST", "/", a, Answers.Text("b"), Answers.Text("a", 201), outcome);
        Assert.Equal(201, record.NoiseStatus);
        Assert.Contains("\"noise_status\":201", record.ToJson());
    }
}
