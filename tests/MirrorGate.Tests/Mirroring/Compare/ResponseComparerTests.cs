using System.Text;
using System.Text.Json.Nodes;
using MirrorGate.Mirroring.Compare;

namespace MirrorGate.Tests.Mirroring.Compare;

public sealed class ResponseComparerTests
{
    private static CompareOptions Options(string json = "{}") => CompareOptions.FromJson((JsonObject)JsonNode.Parse(json)!);

    private static CompareOutcome Compare(CapturedResponse primary, CapturedResponse candidate, CapturedResponse? noise = null, string options = "{}")
        => ResponseComparer.Compare(primary, candidate, noise, Options(options));

    [Fact]
    public void Compare_SameAnswers_Match()
    {
        var outcome = Compare(Answers.Json("""{"a":1}"""), Answers.Json("""{"a":1}"""));
        Assert.Equal(CompareResult.Match, outcome.Result);
        Assert.Empty(outcome.Differences);
        Assert.Equal(0, outcome.DifferenceCount);

        // Equal bytes need no parse.
        Assert.Equal("bytes", outcome.BodyComparison);
    }

    [Fact]
    public void Compare_StatusDiffers_StatusDifference()
    {
        var outcome = Compare(Answers.Text("x", 200), Answers.Text("x", 503));
        Assert.Equal(CompareResult.Mismatch, outcome.Result);
        var d = Assert.Single(outcome.Differences);
        Assert.Equal(new CompareDifference(DifferenceKind.Status, "status", "200", "503"), d);
    }

    [Fact]
    public void Compare_HeaderValueDiffers_ByLowerCaseName()
    {
        var outcome = Compare(Answers.Text("x", 200, ("Cache-Control", "no-store")), Answers.Text("x", 200, ("cache-control", "max-age=60")));
        var d = Assert.Single(outcome.Differences);
        Assert.Equal(new CompareDifference(DifferenceKind.Header, "cache-control", "no-store", "max-age=60"), d);
    }

    [Fact]
    public void Compare_HeaderNameCaseDiffers_Match()
    {
        var outcome = Compare(Answers.Text("x", 200, ("X-Thing", "1")), Answers.Text("x", 200, ("x-thing", "1")));
        Assert.Equal(CompareResult.Match, outcome.Result);
    }

    [Fact]
    public void Compare_HeaderOnOneSide_Difference()
    {
        var outcome = Compare(Answers.Text("x", 200, ("X-Only-Primary", "p")), Answers.Text("x", 200, ("X-Only-Candidate", "c")));
        Assert.Equal(2, outcome.DifferenceCount);
        Assert.Contains(new CompareDifference(DifferenceKind.Header, "x-only-primary", "p", null, "absent from the candidate"), outcome.Differences);
        Assert.Contains(new CompareDifference(DifferenceKind.Header, "x-only-candidate", null, "c", "absent from the primary"), outcome.Differences);
    }

    [Fact]
    public void Compare_RepeatedHeaders_JoinedInOrder()
    {
        var primary = Answers.WithHeaders(("Vary", ["a"]), ("vary", ["b"]));
        var same = Answers.WithHeaders(("Vary", ["a", "b"]));
        var swapped = Answers.WithHeaders(("Vary", ["b", "a"]));
        Assert.Equal(CompareResult.Match, Compare(primary, same).Result);
        var d = Assert.Single(Compare(primary, swapped).Differences);
        Assert.Equal(("a, b", "b, a"), (d.Primary, d.Candidate));
    }

    [Fact]
    public void Compare_DefaultIgnoredHeaders_Skipped()
    {
        var primary = Answers.Text("x", 200, ("Date", "Mon"), ("Server", "a"), ("ETag", "\"1\""), ("X-Request-Id", "1"),
            ("Traceparent", "00-1"), ("Content-Length", "1"), ("X-MirrorGate-Mirror", "n1"), ("X-Forwarded-For", "1.2.3.4"), ("Via", "1.1 a"));
        var candidate = Answers.Text("x", 200, ("date", "Tue"), ("server", "b"), ("etag", "\"2\""), ("x-request-id", "2"), ("Age", "5"), ("X-Forwarded-Proto", "https"));
        Assert.Equal(CompareResult.Match, Compare(primary, candidate).Result);
    }

    [Fact]
    public void Compare_ConfiguredIgnoredHeader_Skipped()
    {
        var outcome = Compare(Answers.Text("x", 200, ("X-Build", "1")), Answers.Text("x", 200, ("X-Build", "2")), options: """{"ignore_headers":["x-build"]}""");
        Assert.Equal(CompareResult.Match, outcome.Result);
    }

    [Fact]
    public void Compare_RenamedMarker_Ignored()
    {
        var options = CompareOptions.FromJson(new JsonObject(), markerHeader: "X-Shadow");
        var outcome = ResponseComparer.Compare(Answers.Text("x"), Answers.Text("x", 200, ("X-Shadow", "n1")), null, options);
        Assert.Equal(CompareResult.Match, outcome.Result);
    }

    [Fact]
    public void Compare_RedactedHeaders_ValuesHidden()
    {
        var outcome = Compare(
            Answers.Text("x", 200, ("Set-Cookie", "s=1"), ("X-Secret", "a")),
            Answers.Text("x", 200, ("Set-Cookie", "s=2"), ("X-Secret", "b")),
            options: """{"redact_headers":["x-secret"]}""");
        Assert.Equal(2, outcome.DifferenceCount);
        Assert.All(outcome.Differences, d => Assert.Equal(("[redacted]", "[redacted]"), (d.Primary, d.Candidate)));
    }

    [Fact]
    public void Compare_JsonMemberOrder_Match()
    {
        var outcome = Compare(Answers.Json("""{"a":1,"b":[1,2],"c":{"x":null}}"""), Answers.Json(""" { "c" : {"x":null}, "b":[1, 2], "a":1 } """));
        Assert.Equal(CompareResult.Match, outcome.Result);
    }

    [Fact]
    public void Compare_JsonValueDiffers_ReportedAtPath()
    {
        var outcome = Compare(
            Answers.Json("""{"items":[{"price":1.5},{"price":2},{"price":3, "name":"c"}]}"""),
            Answers.Json("""{"items":[{"price":1.5},{"price":2},{"price":"3", "name":"c"}]}"""));
        var d = Assert.Single(outcome.Differences);
        Assert.Equal(new CompareDifference(DifferenceKind.Json, "$.items[2].price", "3", "\"3\""), d);
    }

    [Fact]
    public void Compare_JsonMissingMembersAndElements_OneSided()
    {
        var outcome = Compare(Answers.Json("""{"a":1,"list":[1,2,3]}"""), Answers.Json("""{"b":{"c":true},"list":[1]}"""));
        Assert.Equal(4, outcome.DifferenceCount);
        Assert.Contains(new CompareDifference(DifferenceKind.Json, "$.a", "1", null, "absent from the candidate"), outcome.Differences);
        Assert.Contains(new CompareDifference(DifferenceKind.Json, "$.b", null, """{"c":true}""", "absent from the primary"), outcome.Differences);
        Assert.Contains(new CompareDifference(DifferenceKind.Json, "$.list[1]", "2", null, "absent from the candidate"), outcome.Differences);
        Assert.Contains(new CompareDifference(DifferenceKind.Json, "$.list[2]", "3", null, "absent from the candidate"), outcome.Differences);
    }

    [Fact]
    public void Compare_JsonNullVersusAbsent_Distinguished()
    {
        var d = Assert.Single(Compare(Answers.Json("""{"a":null}"""), Answers.Json("{}")).Differences);
        Assert.Equal(("null", (string?)null), (d.Primary, d.Candidate));
    }

    [Fact]
    public void Compare_JsonTypeDiffers_OneDifferenceAtThatPath()
    {
        var d = Assert.Single(Compare(Answers.Json("""{"a":{"x":1,"y":2}}"""), Answers.Json("""{"a":[1,2]}""")).Differences);
        Assert.Equal(new CompareDifference(DifferenceKind.Json, "$.a", """{"x":1,"y":2}""", "[1,2]"), d);
        Assert.Single(Compare(Answers.Json("true"), Answers.Json("false")).Differences);
    }

    [Theory]
    [InlineData("1", "1.0")]
    [InlineData("100", "1e2")]
    [InlineData("0.5", "5E-1")]
    [InlineData("-0", "0")]
    [InlineData("0.000", "0e10")]
    [InlineData("123456789012345678901234567890", "1.23456789012345678901234567890e29")]
    [InlineData("1e400", "10e399")]
    public void Compare_EqualNumbersSpelledApart_Match(string a, string b)
    {
        Assert.Equal(CompareResult.Match, Compare(Answers.Json($$"""{"n":{{a}}}"""), Answers.Json($$"""{"n":{{b}}}""")).Result);
    }

    [Theory]
    [InlineData("9007199254740993", "9007199254740992")]
    [InlineData("123456789012345678901234567890", "123456789012345678901234567891")]
    [InlineData("0.1", "0.10000000000000001")]
    [InlineData("-1", "1")]
    [InlineData("1e400", "1e401")]
    public void Compare_NumbersADoubleWouldConfuse_Differ(string a, string b)
    {
        var d = Assert.Single(Compare(Answers.Json($$"""{"n":{{a}}}"""), Answers.Json($$"""{"n":{{b}}}""")).Differences);
        Assert.Equal((a, b), (d.Primary, d.Candidate));
    }

    [Fact]
    public void Compare_StringsWithEscapes_ComparedUnescaped()
    {
        Assert.Equal(CompareResult.Match, Compare(Answers.Json("""["\u00e9\/"]"""), Answers.Json("""["é/"]""")).Result);
    }

    [Fact]
    public void Compare_IgnoredJsonPaths_Skipped()
    {
        var outcome = Compare(
            Answers.Json("""{"timestamp":1,"items":[{"id":"a","v":1},{"id":"b","v":2}],"a.b":1,"list":[5]}"""),
            Answers.Json("""{"timestamp":2,"items":[{"id":"x","v":1},{"id":"y","v":3}],"a.b":2,"list":[6]}"""),
            options: """{"ignore_json_paths":["$.timestamp","$.items[*].id","$['a.b']","$.list[0]"]}""");
        var d = Assert.Single(outcome.Differences);
        Assert.Equal("$.items[1].v", d.Location);
    }

    [Fact]
    public void Compare_IgnoredPathAbsentOnOneSide_Skipped()
    {
        var outcome = Compare(Answers.Json("""{"trace":{"id":1},"a":1}"""), Answers.Json("""{"a":1}"""), options: """{"ignore_json_paths":["$..trace"]}""");
        Assert.Equal(CompareResult.Match, outcome.Result);
    }

    [Fact]
    public void Compare_IgnoreRoot_BodyNotCompared()
    {
        Assert.Equal(CompareResult.Match, Compare(Answers.Json("""{"a":1}"""), Answers.Json("[2]"), options: """{"ignore_json_paths":["$"]}""").Result);
    }

    [Fact]
    public void Compare_RedactedJsonPaths_ValueAndSubtreeHidden()
    {
        var outcome = Compare(
            Answers.Json("""{"user":{"name":"ann","token":"s1"},"card":"4111","extra":{"token":"t1","n":1}}"""),
            Answers.Json("""{"user":{"name":"bob","token":"s2"},"card":"4222"}"""),
            options: """{"redact_json_paths":["$.card","$..token"]}""");
        Assert.Contains(new CompareDifference(DifferenceKind.Json, "$.user.name", "\"ann\"", "\"bob\""), outcome.Differences);
        Assert.Contains(new CompareDifference(DifferenceKind.Json, "$.user.token", "\"[redacted]\"", "\"[redacted]\""), outcome.Differences);
        Assert.Contains(new CompareDifference(DifferenceKind.Json, "$.card", "\"[redacted]\"", "\"[redacted]\""), outcome.Differences);
        Assert.Contains(new CompareDifference(DifferenceKind.Json, "$.extra", """{"token":"[redacted]","n":1}""", null, "absent from the candidate"), outcome.Differences);
        Assert.DoesNotContain(outcome.Differences, d => (d.Primary + d.Candidate).Contains("s1") || (d.Primary + d.Candidate).Contains("t1") || (d.Primary + d.Candidate).Contains("4111"));
    }

    [Fact]
    public void Compare_RedactedAncestor_DescendantDifferenceHidden()
    {
        var d = Assert.Single(Compare(Answers.Json("""{"secret":{"a":{"b":1}}}"""), Answers.Json("""{"secret":{"a":{"b":2}}}"""),
            options: """{"redact_json_paths":["$.secret"]}""").Differences);
        Assert.Equal(("$.secret.a.b", "\"[redacted]\"", "\"[redacted]\""), (d.Location, d.Primary, d.Candidate));
    }

    [Fact]
    public void Compare_LongValue_CutAt256()
    {
        var longText = new string('x', 1000);
        var d = Assert.Single(Compare(Answers.Json($$"""{"a":"{{longText}}"}"""), Answers.Json("""{"a":"y"}""")).Differences);
        Assert.Equal(256, d.Primary!.Length);
        Assert.EndsWith("...", d.Primary);
    }

    [Fact]
    public void Compare_JsonWithoutJsonContentType_StillStructural()
    {
        var outcome = Compare(Answers.Text("""  {"a":1,"b":2}"""), Answers.Text("""{"b":2,"a":1}"""));
        Assert.Equal(CompareResult.Match, outcome.Result);
        Assert.Equal("json", outcome.BodyComparison);
    }

    [Fact]
    public void Compare_OneSideNotJson_Bytes()
    {
        var d = Assert.Single(Compare(Answers.Json("""{"a":1}"""), Answers.Json("""{"a":1""")).Differences);
        Assert.Equal(DifferenceKind.Body, d.Kind);
        Assert.Equal("body", d.Location);
        Assert.Equal("bodies differ in length: lengths 7 and 6 bytes", d.Detail);
    }

    [Fact]
    public void Compare_JsonWithComments_NotJsonStrictly()
    {
        Assert.Equal("bytes", Compare(Answers.Json("""{"a":1 /* c */}"""), Answers.Json("""{"a":1 /* c */}""")).BodyComparison);
    }

    [Fact]
    public void Compare_TextBodies_FirstDifferingByte()
    {
        var d = Assert.Single(Compare(Answers.Text("hello world"), Answers.Text("hello there")).Differences);
        Assert.Equal(new CompareDifference(DifferenceKind.Body, "body", "11", "11", "first difference at byte 6; lengths 11 and 11 bytes"), d);
    }

    [Fact]
    public void Compare_TextBodyLonger_LengthDifference()
    {
        var d = Assert.Single(Compare(Answers.Text("abc"), Answers.Text("abcd")).Differences);
        Assert.Equal("bodies differ in length: lengths 3 and 4 bytes", d.Detail);
        Assert.Equal(CompareResult.Match, Compare(Answers.Text(""), Answers.Text("")).Result);
    }

    [Fact]
    public void Compare_TruncatedSamePrefixSameLength_MatchOverThePrefix()
    {
        var body = Encoding.UTF8.GetBytes("""{"a":1,""");
        var primary = Answers.Make(200, body, [("Content-Type", "application/json")], bodyLength: 5000);
        var candidate = Answers.Make(200, body, [("Content-Type", "application/json")], bodyLength: 5000);
        var outcome = ResponseComparer.Compare(primary, candidate, null, Options());
        Assert.Equal(CompareResult.Match, outcome.Result);
        Assert.Equal("bytes_prefix", outcome.BodyComparison);
    }

    [Fact]
    public void Compare_TruncatedDifferentTotal_SaysWhatWasCovered()
    {
        var primary = Answers.Make(200, Encoding.UTF8.GetBytes("abcdef"), [], bodyLength: 100);
        var candidate = Answers.Make(200, Encoding.UTF8.GetBytes("abcd"), [], bodyLength: 4);
        var d = Assert.Single(ResponseComparer.Compare(primary, candidate, null, Options()).Differences);
        Assert.Equal("bodies differ in length: lengths 100 and 4 bytes; the comparison covered 4 bytes", d.Detail);

        var other = Answers.Make(200, Encoding.UTF8.GetBytes("abXdef"), [], bodyLength: 100);
        d = Assert.Single(ResponseComparer.Compare(primary, other, null, Options()).Differences);
        Assert.Equal("first difference at byte 2; lengths 100 and 100 bytes; the comparison covered 6 bytes", d.Detail);
    }

    [Fact]
    public void Compare_TruncatedJson_NotParsedButBytes()
    {
        var primary = Answers.Make(200, Encoding.UTF8.GetBytes("""{"a":1}"""), [("Content-Type", "application/json")], bodyLength: 9);
        var candidate = Answers.Make(200, Encoding.UTF8.GetBytes("""{"a":1}"""), [("Content-Type", "application/json")], bodyLength: 9);
        Assert.Equal("bytes_prefix", ResponseComparer.Compare(primary, candidate, null, Options()).BodyComparison);
    }

    [Fact]
    public void Compare_NoiseAtSamePath_Noise()
    {
        var primary = Answers.Json("""{"now":1,"v":1}""");
        var noise = Answers.Json("""{"now":2,"v":1}""");
        var candidate = Answers.Json("""{"now":3,"v":1}""");
        var outcome = Compare(primary, candidate, noise);
        Assert.Equal(CompareResult.Noise, outcome.Result);
        Assert.Empty(outcome.Differences);
        Assert.Equal(1, outcome.NoiseCount);
        Assert.Equal(0, outcome.DifferenceCount);
    }

    [Fact]
    public void Compare_NoiseElsewhere_StillMismatch()
    {
        var primary = Answers.Json("""{"now":1,"v":1}""", 200, ("X-Rand", "1"));
        var noise = Answers.Json("""{"now":2,"v":1}""", 200, ("X-Rand", "2"));
        var candidate = Answers.Json("""{"now":3,"v":2}""", 200, ("X-Rand", "3"));
        var outcome = Compare(primary, candidate, noise);
        Assert.Equal(CompareResult.Mismatch, outcome.Result);
        var d = Assert.Single(outcome.Differences);
        Assert.Equal("$.v", d.Location);
        Assert.Equal(2, outcome.NoiseCount);
    }

    [Fact]
    public void Compare_NoiseAtAncestor_CoversDescendants()
    {
        var primary = Answers.Json("""{"session":{"id":1,"exp":5}}""");
        var noise = Answers.Json("""{"session":null}""");
        var candidate = Answers.Json("""{"session":{"id":2,"exp":6}}""");
        var outcome = Compare(primary, candidate, noise);
        Assert.Equal(CompareResult.Noise, outcome.Result);
        Assert.Equal(2, outcome.NoiseCount);
    }

    [Fact]
    public void Compare_NoiseStatus_StatusIsNoise()
    {
        var outcome = Compare(Answers.Text("x", 200), Answers.Text("x", 500), Answers.Text("x", 502));
        Assert.Equal(CompareResult.Noise, outcome.Result);
    }

    [Fact]
    public void Compare_NoiseBodyBytes_BodyIsNoise()
    {
        Assert.Equal(CompareResult.Noise, Compare(Answers.Text("a1"), Answers.Text("a3"), Answers.Text("a2")).Result);
        // The noise body not even JSON like the primary: every JSON difference is noise too.
        Assert.Equal(CompareResult.Noise, Compare(Answers.Json("""{"a":1}"""), Answers.Json("""{"a":2}"""), Answers.Text("oops")).Result);
    }

    [Fact]
    public void Compare_NoiseSameAsPrimary_CandidateDifferencesReal()
    {
        var outcome = Compare(Answers.Json("""{"a":1}"""), Answers.Json("""{"a":2}"""), Answers.Json("""{"a":1}"""));
        Assert.Equal(CompareResult.Mismatch, outcome.Result);
        Assert.Equal(0, outcome.NoiseCount);
    }

    [Fact]
    public void Compare_JsonNoiseButCandidateBodyBytes_Mismatch()
    {
        // The noise's JSON differences say nothing about a candidate answering something else entirely.
        var outcome = Compare(Answers.Json("""{"a":1}"""), Answers.Text("<html>"), Answers.Json("""{"a":2}"""));
        Assert.Equal(CompareResult.Mismatch, outcome.Result);
    }

    [Fact]
    public void Compare_ManyDifferences_First100RecordedAllCounted()
    {
        var a = new JsonArray(Enumerable.Range(0, 500).Select(i => (JsonNode)i).ToArray());
        var b = new JsonArray(Enumerable.Range(0, 500).Select(i => (JsonNode)(i + 1)).ToArray());
        var outcome = Compare(Answers.Json(a.ToJsonString()), Answers.Json(b.ToJsonString()));
        Assert.Equal(ResponseComparer.MaxRecordedDifferences, outcome.Differences.Count);
        Assert.Equal(500, outcome.DifferenceCount);
        Assert.Equal("$[0]", outcome.Differences[0].Location);
    }

    [Fact]
    public void Compare_DeeperThan64_ComparedAsText()
    {
        static string Nest(int depth, string inner) => string.Concat(Enumerable.Repeat("[", depth)) + inner + string.Concat(Enumerable.Repeat("]", depth));
        var outcome = Compare(Answers.Json(Nest(100, "1")), Answers.Json(Nest(100, "2")));
        var d = Assert.Single(outcome.Differences);
        Assert.Equal("compared as text below depth 64", d.Detail);
        Assert.Equal("$" + string.Concat(Enumerable.Repeat("[0]", 64)), d.Location);
        Assert.Equal(CompareResult.Match, Compare(Answers.Json(Nest(100, "1")), Answers.Json(Nest(100, "1"))).Result);
    }

    [Fact]
    public void Compare_DeeperThanParserTakes_Bytes()
    {
        var deep = string.Concat(Enumerable.Repeat("[", 300)) + string.Concat(Enumerable.Repeat("]", 300));
        Assert.Equal("bytes", Compare(Answers.Json(deep), Answers.Json(deep)).BodyComparison);
    }

    [Fact]
    public void Compare_DuplicateMembers_LastWins()
    {
        Assert.Equal(CompareResult.Match, Compare(Answers.Json("""{"a":1,"a":2}"""), Answers.Json("""{"a":2}""")).Result);
    }

    [Fact]
    public void Compare_RandomBytes_NeverThrows()
    {
        var random = new Random(12345);
        var samples = new List<byte[]>
        {
            "{"u8.ToArray(), "["u8.ToArray(), """{"a":"\ud800"}"""u8.ToArray(), """{"a":1e999999999999999999}"""u8.ToArray(),
            """["\u0000", -0.0e-0]"""u8.ToArray(), new byte[] { 0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}' }, new byte[] { 0xFF, 0xFE, (byte)'[' }, "{\"a\":[1,{\"b\":"u8.ToArray(),
        };
        for (var i = 0; i < 300; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            if (i % 3 == 0 && bytes.Length > 0)
            {
                bytes[0] = (byte)(i % 2 == 0 ? '{' : '[');
            }

            samples.Add(bytes);
        }

        // JSON mutated a byte at a time: the parser sees almost-valid documents.
        var valid = """{"a":[1,2.5e3,{"b":"c\n"}],"d":null,"e":true}"""u8.ToArray();
        for (var i = 0; i < valid.Length; i++)
        {
            var mutated = (byte[])valid.Clone();
            mutated[i] = (byte)random.Next(256);
            samples.Add(mutated);
        }

        var options = Options("""{"ignore_json_paths":["$..b"],"redact_json_paths":["$.a[*]"]}""");
        foreach (var a in samples)
        {
            var b = samples[random.Next(samples.Count)];
            var headers = new (string, string)[] { ("Content-Type", "application/json"), ("X-\u00ff", "\u0000") };
            var primary = Answers.Make(random.Next(100, 600), a, headers, bodyLength: a.Length + random.Next(0, 2));
            var candidate = Answers.Make(200, b, headers);
            var outcome = ResponseComparer.Compare(primary, candidate, random.Next(2) == 0 ? null : candidate, options);
            Assert.NotNull(outcome);
            Assert.Equal(outcome.DifferenceCount == 0, outcome.Result != CompareResult.Mismatch);
        }
    }

    [Fact]
    public void Compare_NullHeaderArrays_NeverThrows()
    {
        var odd = new CapturedResponse { Status = 200, Headers = [new KeyValuePair<string, string[]>("X", null!), new KeyValuePair<string, string[]>("", ["a"])], Body = ReadOnlyMemory<byte>.Empty, BodyLength = 0 };
        Assert.Equal(CompareResult.Mismatch, Compare(odd, Answers.Text("")).Result);
    }
}
