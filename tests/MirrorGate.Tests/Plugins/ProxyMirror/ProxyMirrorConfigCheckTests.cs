using System.Text.Json.Nodes;
using MirrorGate.Plugins.ProxyMirror;

namespace MirrorGate.Tests.Plugins.ProxyMirror;

public sealed class ProxyMirrorConfigCheckTests
{
    private static string? Check(string json) => ProxyMirrorConfigCheck.Check(JsonNode.Parse(json)!.AsObject());

    [Theory]
    [InlineData("http://127.0.0.1:8081")]
    [InlineData("https://mirror.example.com")]
    [InlineData("grpc://[::1]:50051")]
    [InlineData("http://127.0.0.1:1")]
    [InlineData("http://127.0.0.1:65535")]
    public void Check_ServableHost_Valid(string host) =>
        Assert.Null(Check($$"""{"host":"{{host}}"}"""));

    [Theory]
    [InlineData("http://127.0.0.1:65536", "65536")]
    [InlineData("http://127.0.0.1:0", "0")]
    [InlineData("grpcs://[::1]:99999999999999999999", "99999999999999999999")]
    public void Check_PortOutOfRange_RefusedWithBound(string host, string port) =>
        Assert.Equal($"property \"host\" validation failed: invalid port {port}, expected 1 to 65535", Check($$"""{"host":"{{host}}"}"""));

    [Fact]
    public void Check_HostNotAnAddress_Refused() =>
        Assert.Equal("property \"host\" validation failed: invalid address [:::::]", Check("""{"host":"http://[:::::]"}"""));

    [Theory]
    [InlineData("/a\n")]
    [InlineData("/a\r\nX-Injected: 1")]
    [InlineData("/a\u0000")]
    public void Check_PathWithControlCharacter_Refused(string path) =>
        Assert.Equal(
            "property \"path\" validation failed: control characters are not allowed",
            Check(new JsonObject { ["host"] = "http://127.0.0.1:8081", ["path"] = path }.ToJsonString()));

    [Fact]
    public void Check_PlainPath_Valid() =>
        Assert.Null(Check("""{"host":"http://127.0.0.1:8081","path":"/mirror/a b"}"""));
}
