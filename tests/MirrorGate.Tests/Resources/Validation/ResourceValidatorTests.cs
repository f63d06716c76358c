using System.Text.Json.Nodes;
using MirrorGate.Resources;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Tests.Resources.Validation;

public sealed class ResourceValidatorTests
{
    private const string RequiredSets =
        """["plugins","uri"] or ["upstream","uri"] or ["upstream_id","uri"] or ["service_id","uri"] or ["plugins","uris"] or ["upstream","uris"] or ["upstream_id","uris"] or ["service_id","uris"] or ["script","uri"] or ["script","uris"]""";

    private static readonly ValidationHooks Hooks = new(
        exists: (kind, id) => (kind, id) is (ResourceKind.Upstream, "1") or (ResourceKind.Service, "s1"),
        checkVars: vars => vars.Count > 0 && vars[0] is JsonArray { Count: 3 } e && e[1]!.GetValue<string>() == "="
            ? "failed to validate the 'vars' expression: invalid operator '='"
            : null,
        pluginSchema: name => name == "proxy-mirror" ? ResourceSchemas.Plugin(name) : null);

    private static string? Route(string json) => ResourceValidator.Validate(ResourceKind.Route, JsonNode.Parse(json)!.AsObject(), Hooks);

    private static string? Upstream(string json) => ResourceValidator.Validate(ResourceKind.Upstream, JsonNode.Parse(json)!.AsObject(), Hooks);

    private static string? Service(string json) => ResourceValidator.Validate(ResourceKind.Service, JsonNode.Parse(json)!.AsObject(), Hooks);

    [Fact]
    public void Validate_SeedRoute_IsValid() =>
        Assert.Null(Route("""
            {"id":"traffic-mirror-route","uri":"/get","methods":["GET"],"priority":0,"status":1,
             "plugins":{"proxy-mirror":{"host":"http://127.0.0.1:9797","sample_ratio":0.5}},
             "upstream":{"type":"roundrobin","nodes":{"127.0.0.1:1980":1}},
             "hosts":["a.com"],"vars":[["arg_a","==","1"]],"labels":{"env":"prod"},"timeout":{"connect":1,"send":1,"read":1}}
            """));

    [Fact]
    public void Validate_RouteWithUriAndUris_MatchesBoth() =>
        Assert.Equal(
            "invalid configuration: allOf 1 failed: value should match only one schema, but matches both schemas 1 and 2",
            Route("""{"uri":"/a","uris":["/b"],"upstream_id":"1"}"""));

    [Fact]
    public void Validate_RouteWithoutUri_MatchesNone() =>
        Assert.Equal(
            "invalid configuration: allOf 1 failed: value should match only one schema, but matches none",
            Route("""{"upstream_id":"1"}"""));

    [Fact]
    public void Validate_RouteWithoutUpstreamOrPlugins_ListsRequiredSets() =>
        Assert.Equal("invalid configuration: object matches none of the required: " + RequiredSets, Route("""{"uri":"/a"}"""));

    [Fact]
    public void Validate_RouteBadMethod_NamesItem() =>
        Assert.Equal(
            "invalid configuration: property \"methods\" validation failed: failed to validate item 1: matches none of the enum values",
            Route("""{"uri":"/a","upstream_id":"1","methods":["invalid_method"]}"""));

    [Fact]
    public void Validate_RouteHostAndHosts_RejectedBeforeSchema() =>
        Assert.Equal("only one of host or hosts is allowed", Route("""{"host":"a.com","hosts":["b.com"],"bogus":1}"""));

    [Fact]
    public void Validate_RouteRemoteAddrAndRemoteAddrs_Rejected() =>
        Assert.Equal(
            "only one of remote_addr or remote_addrs is allowed",
            Route("""{"uri":"/a","upstream_id":"1","remote_addr":"127.0.0.1","remote_addrs":["127.0.0.1"]}"""));

    [Theory]
    [InlineData("""{"uri":1,"upstream_id":"1"}""", "invalid configuration: property \"uri\" validation failed: wrong type: expected string, got number")]
    [InlineData("""{"uri":"/a","upstream_id":"1","bogus":1}""", "invalid configuration: additional properties forbidden, found bogus")]
    [InlineData("""{"uri":"/a","upstream_id":"1","id":"a b"}""", "invalid configuration: property \"id\" validation failed: object matches none of the required")]
    [InlineData("""{"uri":"/a","service_id":0}""", "invalid configuration: property \"service_id\" validation failed: object matches none of the required")]
    [InlineData("""{"uri":"/a","upstream_id":"1","status":2}""", "invalid configuration: property \"status\" validation failed: matches none of the enum values")]
    [InlineData("""{"uri":"/a","upstream_id":"1","host":"a b"}""", "invalid configuration: property \"host\" validation failed: failed to match pattern \"^\\\\*$|^\\\\*?[0-9a-zA-Z-._\\\\[\\\\]:]+$\" with \"a b\"")]
    [InlineData("""{"uri":"/a","upstream_id":"1","timeout":{"connect":0,"send":1,"read":1}}""", "invalid configuration: property \"timeout\" validation failed: property \"connect\" validation failed: expected 0 to be greater than 0")]
    [InlineData("""{"uri":"/a","upstream_id":"1","remote_addr":"300.0.0.1"}""", "invalid configuration: property \"remote_addr\" validation failed: object matches none of the required")]
    public void Validate_RouteSchemaFault_PrefixedMessage(string route, string message) => Assert.Equal(message, Route(route));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.0.0.0/8")]
    [InlineData("::1")]
    [InlineData("fe80::/10")]
    public void Validate_RouteRemoteAddr_AcceptsIpAndCidr(string address) =>
        Assert.Null(Route($$"""{"uri":"/a","upstream_id":"1","remote_addr":"{{address}}"}"""));

    [Fact]
    public void Validate_RouteInlineUpstreamSchemaFault_NamesUpstream() =>
        Assert.Equal(
            "invalid configuration: property \"upstream\" validation failed: property \"hash_on\" validation failed: matches none of the enum values",
            Route("""{"uri":"/a","upstream":{"nodes":{"a:80":1},"hash_on":"bad"}}"""));

    [Fact]
    public void Validate_RouteUnknownUpstreamId_Reports404() =>
        Assert.Equal(
            "failed to fetch upstream info by upstream id [99999999], response code: 404",
            Route("""{"uri":"/a","upstream_id":99999999}"""));

    [Fact]
    public void Validate_RouteUnknownServiceId_Reports404() =>
        Assert.Equal("failed to fetch service info by service id [x], response code: 404", Route("""{"uri":"/a","service_id":"x"}"""));

    [Fact]
    public void Validate_RouteKnownReferences_AreValid() => Assert.Null(Route("""{"uri":"/a","upstream_id":1,"service_id":"s1"}"""));

    [Fact]
    public void Validate_RouteBadVars_UsesHookMessage() =>
        Assert.Equal(
            "failed to validate the 'vars' expression: invalid operator '='",
            Route("""{"uri":"/a","upstream_id":"1","vars":[["arg_a","=","1"]]}"""));

    [Fact]
    public void Validate_RouteUnknownPlugin_Reported() =>
        Assert.Equal("unknown plugin [nope]", Route("""{"uri":"/a","plugins":{"nope":{}}}"""));

    [Fact]
    public void Validate_RouteBadPluginConfig_Reported() =>
        Assert.Equal(
            "failed to check the configuration of plugin proxy-mirror err: property \"sample_ratio\" validation failed: expected 10 to be at most 1",
            Route("""{"uri":"/a","plugins":{"proxy-mirror":{"host":"http://a","sample_ratio":10}}}"""));

    [Fact]
    public void Validate_UpstreamNodesWrongShape_NoneOfRequired() =>
        Assert.Equal(
            "invalid configuration: property \"nodes\" validation failed: object matches none of the required",
            Upstream("""{"nodes":"127.0.0.1:80"}"""));

    [Fact]
    public void Validate_UpstreamBareIpv6Node_MustBeBracketed() =>
        Assert.Equal(
            "invalid configuration: IPv6 address must be enclosed with '[' and ']'",
            Upstream("""{"nodes":[{"host":"::1","port":80,"weight":1}]}"""));

    [Fact]
    public void Validate_RouteInlineBareIpv6Node_MustBeBracketed() =>
        Assert.Equal(
            "invalid configuration: IPv6 address must be enclosed with '[' and ']'",
            Route("""{"uri":"/a","upstream":{"nodes":[{"host":"::1","port":80,"weight":1}]}}"""));

    [Theory]
    [InlineData("127.0.0.1:65536", "invalid port 65536")]
    [InlineData("127.0.0.1:0", "invalid port 0")]
    [InlineData("[::1]:70000", "invalid port 70000")]
    [InlineData("a.com:99999", "invalid port 99999")]
    public void Validate_UpstreamNodePortOutOfRange_Reported(string node, string message) =>
        Assert.Equal(message, Upstream($$$"""{"nodes":{"{{{node}}}":1}}"""));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    [InlineData("::1")]
    [InlineData("[::1]:80")]
    [InlineData("a.com:443")]
    public void Validate_UpstreamNodeKeys_Accepted(string node) => Assert.Null(Upstream($$$"""{"nodes":{"{{{node}}}":1}}"""));

    [Fact]
    public void Validate_UpstreamRewriteWithoutHost_Reported() =>
        Assert.Equal(
            "`upstream_host` can't be empty when `pass_host` is `rewrite`",
            Upstream("""{"nodes":{"a:80":1},"pass_host":"rewrite"}"""));

    [Fact]
    public void Validate_UpstreamChashWithoutKey_MissingKey() =>
        Assert.Equal("missing key", Upstream("""{"nodes":{"a:80":1},"type":"chash"}"""));

    [Fact]
    public void Validate_UpstreamChashConsumer_NeedsNoKey() =>
        Assert.Null(Upstream("""{"nodes":{"a:80":1},"type":"chash","hash_on":"consumer"}"""));

    [Theory]
    [InlineData("vars", "remote_addr", null)]
    [InlineData("vars", "arg_id", null)]
    [InlineData("vars", "http_x", "invalid configuration: failed to match pattern \"^((uri|server_name|server_addr|request_uri|remote_port|remote_addr|query_string|host|hostname|mqtt_client_id)|arg_[0-9a-zA-z_-]+)$\" with \"http_x\"")]
    [InlineData("header", "X-User", null)]
    [InlineData("cookie", "a b", "invalid configuration: failed to match pattern \"^[a-zA-Z0-9-_]+$\" with \"a b\"")]
    [InlineData("vars_combinations", "$host$uri", null)]
    public void Validate_UpstreamChashKey_CheckedByHashOn(string hashOn, string key, string? message) =>
        Assert.Equal(message, Upstream($$"""{"nodes":{"a:80":1},"type":"chash","hash_on":"{{hashOn}}","key":"{{key}}"}"""));

    [Theory]
    [InlineData("vars", "uri")]
    [InlineData("header", "X-User")]
    public void Validate_UpstreamChashKeyWithTrailingNewline_Refused(string hashOn, string key)
    {
        Assert.Null(Upstream($$"""{"nodes":{"a:80":1},"type":"chash","hash_on":"{{hashOn}}","key":"{{key}}"}"""));
        Assert.StartsWith(
            "invalid configuration: failed to match pattern",
            Upstream($$"""{"nodes":{"a:80":1},"type":"chash","hash_on":"{{hashOn}}","key":"{{key}}\n"}"""));
    }

    [Fact]
    public void Validate_UpstreamHashOnInvalid_EnumMessage() =>
        Assert.Equal(
            "invalid configuration: property \"hash_on\" validation failed: matches none of the enum values",
            Upstream("""{"nodes":{"a:80":1},"hash_on":"bad"}"""));

    [Fact]
    public void Validate_UpstreamWithChecksAndOptions_IsValid() =>
        Assert.Null(Upstream("""
            {"id":"u1","name":"u","desc":"d","labels":{"a":"b"},"type":"roundrobin","scheme":"https","pass_host":"node",
             "nodes":[{"host":"[::1]","port":443,"weight":1,"priority":1,"metadata":{}}],"retries":2,"retry_timeout":1.5,
             "timeout":{"connect":1,"send":2,"read":3},"keepalive_pool":{"size":10,"idle_timeout":5,"requests":100},
             "checks":{"active":{"type":"http","http_path":"/health","healthy":{"interval":2,"successes":1},
                                 "unhealthy":{"http_statuses":[500,502],"timeouts":2}},
                       "passive":{"healthy":{"http_statuses":[200]},"unhealthy":{"tcp_failures":1}}}}
            """));

    [Fact]
    public void Validate_UpstreamChecksPassiveOnly_NoneOfRequired() =>
        Assert.Equal(
            """invalid configuration: property "checks" validation failed: object matches none of the required: ["active"] or ["active","passive"]""",
            Upstream("""{"nodes":{"a:80":1},"checks":{"passive":{}}}"""));

    [Fact]
    public void Validate_UpstreamWithoutNodes_MatchesNone() =>
        Assert.Equal("invalid configuration: value should match only one schema, but matches none", Upstream("""{"type":"roundrobin"}"""));

    [Fact]
    public void Validate_ServiceUnknownField_Forbidden() =>
        Assert.Equal("invalid configuration: additional properties forbidden, found uri", Service("""{"uri":"/a"}"""));

    [Fact]
    public void Validate_ServiceValid_IsNull() =>
        Assert.Null(Service("""{"name":"s","hosts":["a.com"],"enable_websocket":true,"upstream":{"nodes":{"a:80":1}},"plugins":{"proxy-mirror":{"host":"http://m"}}}"""));

    [Fact]
    public void Validate_ServiceUnknownUpstreamId_Reports404() =>
        Assert.Equal("failed to fetch upstream info by upstream id [9], response code: 404", Service("""{"upstream_id":"9"}"""));
}
