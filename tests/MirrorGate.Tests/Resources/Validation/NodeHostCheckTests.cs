using System.Text.Json.Nodes;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Tests.Resources.Validation;

public sealed class NodeHostCheckTests
{
    private static string? Check(string json) => NodeHostCheck.Check(JsonNode.Parse(json)!.AsObject());

    [Theory]
    [InlineData("""{"nodes":{"127.0.0.1:80":1,"httpbin.org":1,"my_service:8080":1,"[::1]:80":1,"::1":1,"[fe80::1]":1}}""")]
    [InlineData("""{"nodes":[{"host":"127.0.0.1","weight":1},{"host":"[::1]","weight":1},{"host":"backend.local","weight":1}]}""")]
    public void Check_ServableHosts_Valid(string json) => Assert.Null(Check(json));

    [Theory]
    [InlineData("""{"nodes":{"evil host:80":1}}""", "evil host:80")]
    [InlineData("""{"nodes":{":80":1}}""", ":80")]
    [InlineData("""{"nodes":{"a/b:80":1}}""", "a/b:80")]
    [InlineData("""{"nodes":{"[::1]:x":1}}""", "[::1]:x")]
    [InlineData("""{"nodes":[{"host":"[::1]:x","weight":1}]}""", "[::1]:x")]
    [InlineData("""{"nodes":[{"host":"*","weight":1}]}""", "*")]
    [InlineData("""{"nodes":[{"host":"a..b","weight":1}]}""", "a..b")]
    public void Check_UnservableHost_RefusedNamingIt(string json, string address) =>
        Assert.Equal($"invalid configuration: invalid node address \"{address}\"", Check(json));
}
