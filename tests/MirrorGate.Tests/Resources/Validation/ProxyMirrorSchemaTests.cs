using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Tests.Resources.Validation;

public sealed class ProxyMirrorSchemaTests
{
    private static readonly JsonObject Schema = ResourceSchemas.Plugin("proxy-mirror")!;

    private static string? Check(string pluginConfig) =>
        PluginConfigChecker.Check(JsonNode.Parse($$"""{"proxy-mirror":{{pluginConfig}}}"""), name => name == "proxy-mirror" ? Schema : null);

    [Fact]
    public void Plugin_ProxyMirror_IsEmbedded()
    {
        Assert.NotNull(ResourceSchemas.Plugin("MirrorGate.Schemas.proxy-mirror.schema.json"));
        // host or targets: which one is required is the plugin's check (ProxyMirrorPluginTests), not the schema's.
        Assert.Null(Schema["required"]);
        Assert.Equal(new[] { "host" }, Schema["properties"]!["targets"]!["items"]!["required"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Null(ResourceSchemas.Plugin("no-such-plugin"));
    }

    [Theory]
    [InlineData("http://127.0.0.1")]
    [InlineData("http://127.0.0.1:1986")]
    [InlineData("http://a")]
    [InlineData("http://ab.com")]
    [InlineData("http://[::1]")]
    [InlineData("http://[::1]:202")]
    [InlineData("grpc://127.0.0.1:1986")]
    [InlineData("grpcs://127.0.0.1:1986")]
    [InlineData("http://test.com:1980")]
    [InlineData("http://not-find-domian.notfind")]
    public void Check_AcceptedHost_IsValid(string host) => Assert.Null(Check($$"""{"host":"{{host}}"}"""));

    [Theory]
    [InlineData("ftp://127.0.0.1:1999")]
    [InlineData("http://127.0.0.1::1999")]
    [InlineData("127.0.0.1:1999")]
    [InlineData("http://127.0.0.1:1999/invalid_uri")]
    [InlineData("http://a_b")]
    [InlineData("HTTP://a")]
    [InlineData("http://1\u0663")] // a non-ASCII digit must not count as \d
    public void Check_RejectedHost_ReportsPattern(string host) =>
        Assert.Equal(
            "failed to check the configuration of plugin proxy-mirror err: property \"host\" validation failed: "
            + "failed to match pattern \"^(http(s)?|grpc(s)?):\\\\/\\\\/([\\\\da-zA-Z.-]+|\\\\[[\\\\da-fA-F:]+\\\\])(:\\\\d+)?$\" with \"" + host + "\"",
            Check($$"""{"host":"{{host}}"}"""));

    [Theory]
    [InlineData("a")]
    [InlineData("/a?a=c")]
    [InlineData("/")]
    [InlineData("/a&b")]
    public void Check_RejectedPath_ReportsPattern(string path) =>
        Assert.Equal(
            $"failed to check the configuration of plugin proxy-mirror err: property \"path\" validation failed: failed to match pattern \"^/[^?&]+$\" with \"{path}\"",
            Check($$"""{"host":"http://a","path":"{{path}}"}"""));

    [Theory]
    [InlineData("/a")]
    [InlineData("/hello")]
    [InlineData("/get")]
    public void Check_AcceptedPath_IsValid(string path) => Assert.Null(Check($$"""{"host":"http://a","path":"{{path}}"}"""));

    [Theory]
    [InlineData("""{"host":123}""", "property \"host\" validation failed: wrong type: expected string, got number")]
    [InlineData("""{"host":"http://a","path_concat_mode":"x"}""", "property \"path_concat_mode\" validation failed: matches none of the enum values")]
    [InlineData("""{"host":"http://a","sample_ratio":0}""", "property \"sample_ratio\" validation failed: expected 0 to be at least 1e-05")]
    [InlineData("""{"host":"http://a","sample_ratio":"1"}""", "property \"sample_ratio\" validation failed: wrong type: expected number, got string")]
    [InlineData("""{"host":"http://a","_meta":{"x":1}}""", "property \"_meta\" validation failed: additional properties forbidden, found x")]
    public void Check_InvalidConfig_ReportsValidatorMessage(string config, string message) =>
        Assert.Equal("failed to check the configuration of plugin proxy-mirror err: " + message, Check(config));

    [Theory]
    [InlineData("""{"host":"http://a","sample_ratio":0.00001}""")]
    [InlineData("""{"host":"http://a","sample_ratio":1}""")]
    [InlineData("""{"host":"http://a","disable":false}""")] // no additionalProperties:false (issue #8560)
    [InlineData("""{"host":"http://a","path":"/a","path_concat_mode":"prefix","_meta":{"priority":1,"disable":false}}""")]
    public void Check_ValidConfig_IsAccepted(string config) => Assert.Null(Check(config));

    [Fact]
    public void Check_SampleRatioTooHigh_SerializesToApisixBody()
    {
        var message = Check("""{"host":"http://127.0.0.1:1986","sample_ratio":10}""");

        // The Admin API writes error_msg with relaxed escaping: quotes become \" and nothing else is escaped.
        var options = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        var body = JsonSerializer.Serialize(new Dictionary<string, string?> { ["error_msg"] = message }, options);

        Assert.Equal(
            """{"error_msg":"failed to check the configuration of plugin proxy-mirror err: property \"sample_ratio\" validation failed: expected 10 to be at most 1"}""",
            body);
    }
}
