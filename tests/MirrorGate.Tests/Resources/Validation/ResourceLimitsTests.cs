using System.Text.Json.Nodes;
using MirrorGate.Resources;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Tests.Resources.Validation;

public sealed class ResourceLimitsTests
{
    private static readonly ValidationHooks Hooks = new((_, _) => true, _ => null, name => name == "proxy-mirror" ? ResourceSchemas.Plugin(name) : null);

    // Ids and references are compared as text, never converted; the mirror's sample_ratio is bounded by its schema.
    private static readonly HashSet<string> TextOnly = new(StringComparer.Ordinal)
    {
        ".id", ".service_id", ".upstream_id", ".plugin_config_id", ".script_id", ".tls.client_cert_id",
    };

    private static string? Validate(ResourceKind kind, string json) => ResourceValidator.Validate(kind, JsonNode.Parse(json)!.AsObject(), Hooks);

    [Theory]
    [InlineData(ResourceKind.Route)]
    [InlineData(ResourceKind.Service)]
    [InlineData(ResourceKind.Upstream)]
    [InlineData(ResourceKind.PluginConfig)]
    [InlineData(ResourceKind.GlobalRule)]
    public void LimitsFor_EveryNumberInApisixSchema_HasAnUpperBound(ResourceKind kind)
    {
        var unbounded = new List<string>();
        // An inline upstream is checked against the upstream's own limits (UpstreamChecker).
        Walk(ResourceSchemas.For(kind), ResourceSchemas.LimitsFor(kind), "", unbounded, skip: kind == ResourceKind.Upstream ? null : "upstream");

        Assert.DoesNotContain(unbounded, path => !TextOnly.Contains(path));
    }

    [Fact]
    public void LimitsFor_WithoutLimits_UnboundedNumbersAreFound()
    {
        var unbounded = new List<string>();
        Walk(ResourceSchemas.For(ResourceKind.Upstream), null, "", unbounded);

        Assert.Superset(
            new HashSet<string> { ".retries", ".nodes{}", ".nodes[].weight", ".timeout.connect", ".checks.active.healthy.interval" },
            unbounded.ToHashSet());
    }

    [Theory]
    [InlineData("""{"nodes":{"a:80":1},"retries":2147483648}""", "property \"retries\" validation failed: expected 2147483648 to be at most 2147483647")]
    [InlineData("""{"nodes":{"a:80":2147483648}}""", "property \"nodes\" validation failed: failed to validate a:80 (matching \".*\"): expected 2147483648 to be at most 2147483647")]
    [InlineData("""{"nodes":[{"host":"a","weight":1,"priority":-2147483649}]}""", "property \"nodes\" validation failed: failed to validate item 1: property \"priority\" validation failed: expected -2147483649 to be at least -2147483648")]
    [InlineData("""{"nodes":{"a:80":1},"retry_timeout":2147484}""", "property \"retry_timeout\" validation failed: expected 2147484 to be at most 2147483")]
    [InlineData("""{"nodes":{"a:80":1},"keepalive_pool":{"idle_timeout":1e300}}""", "property \"keepalive_pool\" validation failed: property \"idle_timeout\" validation failed: expected 1e+300 to be at most 2147483")]
    [InlineData("""{"nodes":{"a:80":1},"checks":{"active":{"timeout":-1}}}""", "property \"checks\" validation failed: property \"active\" validation failed: property \"timeout\" validation failed: expected -1 to be at least 0.001")]
    [InlineData("""{"nodes":{"a:80":1},"checks":{"active":{"healthy":{"interval":4294968}}}}""", "property \"checks\" validation failed: property \"active\" validation failed: property \"healthy\" validation failed: property \"interval\" validation failed: expected 4294968 to be at most 2147483")]
    [InlineData("""{"nodes":{"a:80":1},"create_time":1e300}""", "property \"create_time\" validation failed: expected 1e+300 to be at most 99999999999999")]
    public void Validate_UpstreamPastBound_RefusedWithBound(string json, string message) =>
        Assert.Equal("invalid configuration: " + message, Validate(ResourceKind.Upstream, json));

    [Theory]
    [InlineData("""{"uri":"/a","upstream_id":"1","priority":2147483648}""", "property \"priority\" validation failed: expected 2147483648 to be at most 2147483647")]
    [InlineData("""{"uri":"/a","upstream_id":"1","timeout":{"connect":0.0001,"send":1,"read":1}}""", "property \"timeout\" validation failed: property \"connect\" validation failed: expected 0.0001 to be at least 0.001")]
    [InlineData("""{"uri":"/a","upstream_id":"1","vars":[]}""", null)]
    public void Validate_RoutePastBound_RefusedWithBound(string json, string? message) =>
        Assert.Equal(message is null ? null : "invalid configuration: " + message, Validate(ResourceKind.Route, json));

    [Theory]
    [InlineData("uris", "/p/", 1000)]
    [InlineData("hosts", "h", 1000)]
    [InlineData("remote_addrs", "10.0.", 1000)]
    public void Validate_RouteListAtAndPastLimit_RefusedPastLimit(string field, string prefix, int limit)
    {
        string Route(int count)
        {
            var items = new JsonArray(Enumerable.Range(0, count).Select(i => (JsonNode)JsonValue.Create(field == "remote_addrs" ? $"{prefix}{i / 256}.{i % 256}" : $"{prefix}{i}")).ToArray());
            var route = new JsonObject { [field] = items, ["upstream_id"] = "1" };
            if (field != "uris") route["uri"] = "/a";
            return route.ToJsonString();
        }

        Assert.Null(Validate(ResourceKind.Route, Route(limit)));
        Assert.Equal(
            $"invalid configuration: property \"{field}\" validation failed: expect array to have at most {limit} items",
            Validate(ResourceKind.Route, Route(limit + 1)));
    }

    [Fact]
    public void Validate_NodesPastLimit_RefusedInBothShapes()
    {
        var map = new JsonObject(Enumerable.Range(0, 1001).Select(i => KeyValuePair.Create($"10.0.{i / 256}.{i % 256}:80", (JsonNode?)JsonValue.Create(1))));
        var array = new JsonArray(Enumerable.Range(0, 1001).Select(i => (JsonNode)new JsonObject { ["host"] = $"10.0.{i / 256}.{i % 256}", ["weight"] = 1 }).ToArray());

        Assert.Equal(
            "invalid configuration: property \"nodes\" validation failed: expect object to have at most 1000 properties",
            Validate(ResourceKind.Upstream, new JsonObject { ["nodes"] = map }.ToJsonString()));
        Assert.Equal(
            "invalid configuration: property \"nodes\" validation failed: expect array to have at most 1000 items",
            Validate(ResourceKind.Upstream, new JsonObject { ["nodes"] = array }.ToJsonString()));
    }

    [Fact]
    public void Validate_VarsPastLimit_Refused()
    {
        var vars = new JsonArray(Enumerable.Range(0, 101).Select(i => (JsonNode)new JsonArray("arg_a", "==", $"{i}")).ToArray());

        Assert.Equal(
            "invalid configuration: property \"vars\" validation failed: expect array to have at most 100 items",
            Validate(ResourceKind.Route, new JsonObject { ["uri"] = "/a", ["upstream_id"] = "1", ["vars"] = vars }.ToJsonString()));
    }

    [Fact]
    public void Validate_PluginMetaPriorityPastBound_RefusedWithApisixPrefix() =>
        Assert.Equal(
            "failed to check the configuration of plugin proxy-mirror err: property \"_meta\" validation failed: property \"priority\" validation failed: expected 2147483648 to be at most 2147483647",
            Validate(ResourceKind.Route, """{"uri":"/a","plugins":{"proxy-mirror":{"host":"http://a","_meta":{"priority":2147483648}}}}"""));

    [Fact]
    public void Validate_ServiceHostsPastLimit_Refused()
    {
        var hosts = new JsonArray(Enumerable.Range(0, 1001).Select(i => (JsonNode)JsonValue.Create($"h{i}")).ToArray());

        Assert.Equal(
            "invalid configuration: property \"hosts\" validation failed: expect array to have at most 1000 items",
            Validate(ResourceKind.Service, new JsonObject { ["hosts"] = hosts }.ToJsonString()));
    }

    // Records the path of every integer/number APISIX's schema allows without a maximum there or in the limits.
    private static void Walk(JsonNode? schema, JsonNode? limits, string path, List<string> unbounded, string? skip = null)
    {
        if (schema is not JsonObject s) return;

        if (IsNumeric(s) && !HasMaximum(s) && !HasMaximum(limits as JsonObject)) unbounded.Add(path);

        foreach (var branch in new[] { "anyOf", "oneOf", "allOf" })
        {
            foreach (var sub in s[branch] as JsonArray ?? []) Walk(sub, limits, path, unbounded);
        }

        foreach (var (name, sub) in s["properties"] as JsonObject ?? [])
        {
            if (name != skip) Walk(sub, limits?["properties"]?[name], $"{path}.{name}", unbounded);
        }

        foreach (var (pattern, sub) in s["patternProperties"] as JsonObject ?? [])
        {
            Walk(sub, limits?["patternProperties"]?[pattern], $"{path}{{}}", unbounded);
        }

        Walk(s["items"], limits?["items"], $"{path}[]", unbounded);

        static bool IsNumeric(JsonObject s) =>
            s["type"] is JsonValue t && t.GetValue<string>() is "integer" or "number" && !s.ContainsKey("enum");

        static bool HasMaximum(JsonObject? s) => s is not null && (s.ContainsKey("maximum") || s.ContainsKey("exclusiveMaximum"));
    }
}
