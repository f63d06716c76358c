using System.Text.Json.Nodes;
using MirrorGate.Mirroring.Compare;

namespace MirrorGate.Tests.Mirroring.Compare;

public sealed class CompareOptionsTests
{
    private static JsonObject Block(string json) => (JsonObject)JsonNode.Parse(json)!;

    [Fact]
    public void FromJson_Empty_Defaults()
    {
        var options = CompareOptions.FromJson(Block("{}"));
        Assert.Equal(65536, options.BodyBytes);
        Assert.Equal(20, options.KeepMismatches);
        Assert.Null(options.NoiseHost);
        Assert.True(options.IgnoreJsonPaths.IsEmpty);
        Assert.True(options.RedactJsonPaths.IsEmpty);
        foreach (var name in new[] { "Date", "server", "CONNECTION", "Keep-Alive", "Transfer-Encoding", "Content-Length", "Via", "Age", "Expires",
            "Last-Modified", "ETag", "Alt-Svc", "X-Request-Id", "Traceparent", "Tracestate", "Upgrade", "TE", "Trailer", "X-MirrorGate-Mirror", "X-Forwarded-Host" })
        {
            Assert.True(options.IsIgnoredHeader(name), name);
        }

        Assert.False(options.IsIgnoredHeader("Content-Type"));
        foreach (var name in new[] { "Authorization", "cookie", "Set-Cookie", "Proxy-Authorization", "x-api-key" })
        {
            Assert.True(options.IsRedactedHeader(name), name);
        }

        Assert.False(options.IsRedactedHeader("Content-Type"));
    }

    [Fact]
    public void FromJson_Everything_Read()
    {
        var options = CompareOptions.FromJson(Block("""
            {"body_bytes":0,"keep_mismatches":1000,"noise_host":"http://127.0.0.1:9001","ignore_headers":["X-Build"],
             "ignore_json_paths":["$.ts"],"redact_headers":["X-Token"],"redact_json_paths":["$..password"]}
            """));
        Assert.Equal(0, options.BodyBytes);
        Assert.Equal(1000, options.KeepMismatches);
        Assert.Equal("http://127.0.0.1:9001", options.NoiseHost);
        Assert.True(options.IsIgnoredHeader("x-build"));
        Assert.True(options.IsIgnoredHeader("Date"));
        Assert.True(options.IsRedactedHeader("x-token"));
        Assert.True(options.IsRedactedHeader("Cookie"));
        Assert.Equal("$.ts", Assert.Single(options.IgnoreJsonPaths.Paths).Text);
        Assert.Equal("$..password", Assert.Single(options.RedactJsonPaths.Paths).Text);
    }

    [Fact]
    public void FromJson_NumbersPutInByCode_Read()
    {
        var options = CompareOptions.FromJson(new JsonObject { ["body_bytes"] = 100, ["keep_mismatches"] = 5L });
        Assert.Equal((100, 5), (options.BodyBytes, options.KeepMismatches));
        Assert.NotNull(CompareOptions.Check(new JsonObject { ["body_bytes"] = 2_000_000 }));
    }

    [Fact]
    public void FromJson_Refused_Throws()
    {
        Assert.Throws<ArgumentException>(() => CompareOptions.FromJson(Block("""{"ignore_json_paths":["a"]}""")));
    }

    [Theory]
    [InlineData("""{"body_bytes":65536,"keep_mismatches":0,"ignore_headers":[],"ignore_json_paths":["$","$..a[*]"]}""")]
    [InlineData("""{"body_bytes":1048576,"keep_mismatches":1000}""")]
    [InlineData("""{"noise_host":"https://noise.example:8443"}""")]
    public void Check_Good_Null(string json)
    {
        Assert.Null(CompareOptions.Check(Block(json)));
    }

    [Theory]
    [InlineData("""{"extra":1}""", "additional properties forbidden, found extra")]
    [InlineData("""{"body_bytes":"1"}""", "property \"body_bytes\" validation failed: wrong type: expected integer, got string")]
    [InlineData("""{"body_bytes":1.5}""", "property \"body_bytes\" validation failed: wrong type: expected integer, got number")]
    [InlineData("""{"body_bytes":-1}""", "property \"body_bytes\" validation failed: expected -1 to be at least 0")]
    [InlineData("""{"body_bytes":1048577}""", "property \"body_bytes\" validation failed: expected 1048577 to be at most 1048576")]
    [InlineData("""{"keep_mismatches":1001}""", "property \"keep_mismatches\" validation failed: expected 1001 to be at most 1000")]
    [InlineData("""{"keep_mismatches":null}""", "property \"keep_mismatches\" validation failed: wrong type: expected integer, got null")]
    [InlineData("""{"ignore_headers":"Date"}""", "property \"ignore_headers\" validation failed: wrong type: expected array, got string")]
    [InlineData("""{"ignore_headers":[1]}""", "property \"ignore_headers\" validation failed: failed to validate item 1: wrong type: expected string, got number")]
    [InlineData("""{"ignore_headers":["ok",""]}""", "ignore_headers[1] \"\" is not a header name: expected letters, digits and !#$%&'*+-.^_`|~ only")]
    [InlineData("""{"redact_headers":["X Token"]}""", "redact_headers[0] \"X Token\" is not a header name: expected letters, digits and !#$%&'*+-.^_`|~ only")]
    [InlineData("""{"redact_headers":["X:Token"]}""", "redact_headers[0] \"X:Token\" is not a header name: expected letters, digits and !#$%&'*+-.^_`|~ only")]
    [InlineData("""{"ignore_json_paths":["$.a","$.b","$.a["]}""", "ignore_json_paths[2] \"$.a[\" is not a JSON path: unclosed [ at position 3")]
    [InlineData("""{"redact_json_paths":["password"]}""", "redact_json_paths[0] \"password\" is not a JSON path: it must start with $")]
    [InlineData("""{"redact_json_paths":{}}""", "property \"redact_json_paths\" validation failed: wrong type: expected array, got object")]
    [InlineData("""{"noise_host":5}""", "property \"noise_host\" validation failed: wrong type: expected string, got number")]
    [InlineData("""{"noise_host":"grpc://127.0.0.1:9000"}""", "property \"noise_host\" validation failed: \"grpc://127.0.0.1:9000\": answers of grpc and grpcs mirrors are not compared")]
    public void Check_Bad_ApisixStyleMessage(string json, string message)
    {
        Assert.Equal("property \"compare\" validation failed: " + message, CompareOptions.Check(Block(json)));
    }

    [Fact]
    public void Check_NoiseHostNotAHost_Refused()
    {
        var message = CompareOptions.Check(Block("""{"noise_host":"http://127.0.0.1:99999"}"""));
        Assert.StartsWith("property \"compare\" validation failed: property \"noise_host\" validation failed: \"http://127.0.0.1:99999\": ", message);
    }

    [Fact]
    public void Check_TooManyItems_Refused()
    {
        var list = new JsonArray(Enumerable.Range(0, 101).Select(i => (JsonNode)$"$.a{i}").ToArray());
        Assert.Equal(
            "property \"compare\" validation failed: property \"ignore_json_paths\" validation failed: expect array to have at most 100 items",
            CompareOptions.Check(new JsonObject { ["ignore_json_paths"] = list }));
    }
}
