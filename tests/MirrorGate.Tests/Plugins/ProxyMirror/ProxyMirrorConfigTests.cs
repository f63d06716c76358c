using System.Text.Json.Nodes;
using MirrorGate.Plugins.ProxyMirror;

namespace MirrorGate.Tests.Plugins.ProxyMirror;

public sealed class ProxyMirrorConfigTests
{
    private static MirrorTargetConfig Config(string json) => Assert.Single(ProxyMirrorConfig.FromJson((JsonObject)JsonNode.Parse(json)!).Targets);

    [Theory]
    // APISIX's test table: mirror host http://127.0.0.1:1986, route /hello.
    [InlineData("""{"host":"http://127.0.0.1:1986"}""", "/hello", "", "/hello")]
    [InlineData("""{"host":"http://127.0.0.1:1986"}""", "/hello", "?sample_ratio=1", "/hello?sample_ratio=1")]
    [InlineData("""{"host":"http://127.0.0.1:1986","path":"/a"}""", "/hello", "", "/a")]
    [InlineData("""{"host":"http://127.0.0.1:1986","path":"/a"}""", "/hello", "?a=1", "/a?a=1")]
    [InlineData("""{"host":"http://127.0.0.1:1986","path":"/a","path_concat_mode":"prefix"}""", "/hello", "", "/a/hello")]
    [InlineData("""{"host":"http://127.0.0.1:1986","path":"/a","path_concat_mode":"prefix"}""", "/hello", "?a=1", "/a/hello?a=1")]
    [InlineData("""{"host":"http://127.0.0.1:1986","path":"/a","path_concat_mode":"replace"}""", "/hello", "?a=1", "/a?a=1")]
    [InlineData("""{"host":"http://127.0.0.1:1986"}""", "/a%20b/%2F", "?x=%41", "/a%20b/%2F?x=%41")]
    public void BuildPathAndQuery_ApisixCases_MatchApisix(string json, string path, string query, string expected)
        => Assert.Equal(expected, Config(json).BuildPathAndQuery(path, query, upstreamUri: null));

    [Fact]
    public void BuildPathAndQuery_UpstreamUriSetAndNoPath_UsesUpstreamUri()
        => Assert.Equal("/hello?a=b", Config("""{"host":"http://m"}""").BuildPathAndQuery("/nope", "?a=b", "/hello?a=b"));

    [Fact]
    public void BuildPathAndQuery_ReplaceMode_TakesQueryFromClientRequest()
        => Assert.Equal("/x?orig=1", Config("""{"host":"http://m","path":"/x"}""").BuildPathAndQuery("/nope", "?orig=1", "/hello?other=2"));

    [Fact]
    public void BuildPathAndQuery_Grpc_IgnoresPathOptionsAndQuery()
    {
        var config = Config("""{"host":"grpc://127.0.0.1:19797","path":"/a","path_concat_mode":"prefix"}""");
        Assert.True(config.IsGrpc);
        Assert.Equal("http://127.0.0.1:19797", config.BaseUri);
        Assert.Equal("/helloworld.Greeter/SayHello", config.BuildPathAndQuery("/helloworld.Greeter/SayHello", "?q=1", null));
    }

    [Theory]
    [InlineData("grpcs://127.0.0.1:1986", "https://127.0.0.1:1986")]
    [InlineData("https://[::1]:202", "https://[::1]:202")]
    [InlineData("http://a", "http://a")]
    public void FromJson_Host_MapsToTransportBase(string host, string expectedBase)
        => Assert.Equal(expectedBase, Config($$"""{"host":"{{host}}"}""").BaseUri);

    [Fact]
    public void FromJson_Defaults_AreApisixDefaults()
    {
        var config = Config("""{"host":"http://m"}""");
        Assert.Equal(1.0, config.SampleRatio);
        Assert.Equal(PathConcatMode.Replace, config.Mode);
        Assert.Null(config.Path);
    }
}
