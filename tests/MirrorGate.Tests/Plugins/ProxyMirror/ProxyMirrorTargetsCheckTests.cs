using System.Net;
using System.Text.Json.Nodes;
using MirrorGate.Plugins.ProxyMirror;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Tests.Plugins.ProxyMirror;

/// <summary>The schema and checks of the shadow-testing attributes: targets, filters, header edits, timeouts, kill switch, compare.</summary>
public sealed class ProxyMirrorTargetsCheckTests
{
    private const string Prefix = "failed to check the configuration of plugin proxy-mirror err: ";

    private static readonly ProxyMirrorPlugin Plugin = new(
        new ReservedListeners([new ReservedListener("Admin API", "deployment.admin.admin_listen", IPAddress.Loopback, 9180)], "gateway-7", new HashSet<IPAddress>()),
        markerHeader: "X-Shadow-Of");

    private static string? Check(string pluginJson)
        => PluginConfigChecker.Check(
            JsonNode.Parse($$"""{"proxy-mirror":{{pluginJson}}}"""),
            name => name == ProxyMirrorPlugin.PluginName ? Plugin.Schema : null,
            checkConfig: (_, config) => Plugin.CheckConfig(config));

    [Theory]
    [InlineData("""{"targets":[{"host":"http://a"},{"host":"http://b","name":"v2","path":"/x","sample_ratio":0.5}]}""")]
    [InlineData("""{"host":"http://a","name":"blue","timeout":{"read":0.5},"queue_size":10,"max_failure_ratio":0.5,"failure_window":10,"min_copies":5,"cool_down":1}""")]
    [InlineData("""{"host":"http://a","sample_key":"http_x_user_id","methods":["GET","POST"],"vars":[["arg_a","==","1"]]}""")]
    [InlineData("""{"host":"http://a","headers":{"set":{"X-Shadow":"1"},"remove":["Authorization","X-Forwarded-For"]}}""")]
    [InlineData("""{"sample_key":"cookie_sid","targets":[{"host":"http://a","sample_key":"arg_uid","methods":["GET"]}]}""")]
    [InlineData("""{"host":"http://a","compare":{"body_bytes":0,"ignore_headers":["X-Id"],"ignore_json_paths":["$.ts"],"noise_host":"http://b:81","keep_mismatches":5,"redact_headers":["X-T"],"redact_json_paths":["$.pw"]}}""")]
    public void Check_ValidConfigs_Accepted(string config) => Assert.Null(Check(config));

    [Theory]
    [InlineData("""{}""", "property \"host\" is required")]
    [InlineData("""{"sample_key":"arg_a"}""", "property \"host\" is required")]
    [InlineData("""{"host":"http://a","targets":[{"host":"http://b"}]}""",
        "property \"host\" validation failed: \"host\" and \"targets\" cannot both be set; with targets, put \"host\" in each target")]
    [InlineData("""{"sample_ratio":0.5,"targets":[{"host":"http://b"}]}""",
        "property \"sample_ratio\" validation failed: \"sample_ratio\" and \"targets\" cannot both be set; with targets, put \"sample_ratio\" in each target")]
    [InlineData("""{"targets":[{"host":"http://a"},{"host":"http://a"}]}""",
        "property \"targets\" validation failed: failed to validate item 2: property \"name\" validation failed: target name \"http://a\" is used twice; each target needs its own name (a target without one is named by its host)")]
    [InlineData("""{"targets":[{"host":"http://a","name":"x"},{"host":"http://b","name":"x"}]}""",
        "property \"targets\" validation failed: failed to validate item 2: property \"name\" validation failed: target name \"x\" is used twice; each target needs its own name (a target without one is named by its host)")]
    [InlineData("""{"targets":[{"host":"http://a"},{"host":"http://127.0.0.1:99999"}]}""",
        "property \"targets\" validation failed: failed to validate item 2: property \"host\" validation failed: \"http://127.0.0.1:99999\": port 99999 is not between 1 and 65535")]
    [InlineData("""{"targets":[{"host":"http://localhost:9180"}]}""",
        "property \"targets\" validation failed: failed to validate item 1: property \"host\" validation failed: \"http://localhost:9180\" reaches this node's Admin API listener (deployment.admin.admin_listen 127.0.0.1:9180); mirror copies carry the client's headers and may not be sent to the node's Admin API or metrics listeners")]
    [InlineData("""{"host":"http://a","compare":{"noise_host":"http://127.0.0.1:9180"}}""",
        "property \"compare.noise_host\" validation failed: \"http://127.0.0.1:9180\" reaches this node's Admin API listener (deployment.admin.admin_listen 127.0.0.1:9180); mirror copies carry the client's headers and may not be sent to the node's Admin API or metrics listeners")]
    [InlineData("""{"host":"http://a","compare":{"noise_host":"http://127.0.0.1:70000"}}""",
        "property \"compare.noise_host\" validation failed: \"http://127.0.0.1:70000\": port 70000 is not between 1 and 65535")]
    [InlineData("""{"host":"grpc://a:50051","compare":{}}""", "property \"compare\" validation failed: answers of grpc and grpcs mirrors cannot be compared")]
    [InlineData("""{"targets":[{"host":"grpcs://a","compare":{}}]}""",
        "property \"targets\" validation failed: failed to validate item 1: property \"compare\" validation failed: answers of grpc and grpcs mirrors cannot be compared")]
    [InlineData("""{"host":"http://a","sample_key":"user_id"}""",
        "property \"sample_key\" validation failed: unknown variable \"user_id\"; use one such as http_x_user_id, cookie_session, arg_uid or remote_addr")]
    [InlineData("""{"host":"http://a","sample_key":"http_"}""",
        "property \"sample_key\" validation failed: unknown variable \"http_\"; use one such as http_x_user_id, cookie_session, arg_uid or remote_addr")]
    [InlineData("""{"targets":[{"host":"http://a","sample_key":"nope"}]}""",
        "property \"targets\" validation failed: failed to validate item 1: property \"sample_key\" validation failed: unknown variable \"nope\"; use one such as http_x_user_id, cookie_session, arg_uid or remote_addr")]
    [InlineData("""{"host":"http://a","vars":[["arg_a","=","1"]]}""",
        "property \"vars\" validation failed: failed to validate the 'vars' expression: invalid operator '='")]
    [InlineData("""{"host":"http://a","headers":{"set":{"X-A":"1\r\nX-B: 2"}}}""",
        "property \"headers.set\" validation failed: the value of \"X-A\" carries CR, LF or NUL, which no header can")]
    [InlineData("""{"host":"http://a","headers":{"set":{"X A":"1"}}}""", "property \"headers.set\" validation failed: \"X A\" is not a valid header name")]
    [InlineData("""{"host":"http://a","headers":{"remove":["X:A"]}}""", "property \"headers.remove\" validation failed: \"X:A\" is not a valid header name")]
    [InlineData("""{"host":"http://a","headers":{"set":{"Host":"x"}}}""",
        "property \"headers.set\" validation failed: \"Host\" is written by the mirror connection (hop-by-hop, Host, Content-Length or Transfer-Encoding) and cannot be set")]
    [InlineData("""{"host":"http://a","headers":{"remove":["content-length"]}}""",
        "property \"headers.remove\" validation failed: \"content-length\" is written by the mirror connection (hop-by-hop, Host, Content-Length or Transfer-Encoding) and cannot be removed")]
    [InlineData("""{"host":"http://a","headers":{"set":{"Transfer-Encoding":"chunked"}}}""",
        "property \"headers.set\" validation failed: \"Transfer-Encoding\" is written by the mirror connection (hop-by-hop, Host, Content-Length or Transfer-Encoding) and cannot be set")]
    [InlineData("""{"host":"http://a","headers":{"remove":["Connection"]}}""",
        "property \"headers.remove\" validation failed: \"Connection\" is written by the mirror connection (hop-by-hop, Host, Content-Length or Transfer-Encoding) and cannot be removed")]
    [InlineData("""{"host":"http://a","headers":{"remove":["x-mirrorgate-mirror"]}}""",
        "property \"headers.remove\" validation failed: \"x-mirrorgate-mirror\" is the mirror marker, which every copy carries as the node writes it; it can be neither removed nor set")]
    [InlineData("""{"host":"http://a","headers":{"set":{"X-Shadow-Of":"me"}}}""",
        "property \"headers.set\" validation failed: \"X-Shadow-Of\" is the mirror marker, which every copy carries as the node writes it; it can be neither removed nor set")]
    [InlineData("""{"targets":[{"host":"http://a","headers":{"remove":["X-Shadow-Of"]}}]}""",
        "property \"targets\" validation failed: failed to validate item 1: property \"headers.remove\" validation failed: \"X-Shadow-Of\" is the mirror marker, which every copy carries as the node writes it; it can be neither removed nor set")]
    public void Check_InvalidConfig_RefusedWithMessage(string config, string message) => Assert.Equal(Prefix + message, Check(config));

    [Theory]
    [InlineData("""{"targets":[]}""", "property \"targets\" validation failed: expect array to have at least 1 items")]
    [InlineData("""{"targets":[{"path":"/a"}]}""", "property \"targets\" validation failed: failed to validate item 1: property \"host\" is required")]
    [InlineData("""{"targets":[{"host":"http://a","hots":"x"}]}""", "property \"targets\" validation failed: failed to validate item 1: additional properties forbidden, found hots")]
    [InlineData("""{"host":"http://a","name":"a b"}""", "property \"name\" validation failed: failed to match pattern \"^[a-zA-Z0-9-_.]+$\" with \"a b\"")]
    [InlineData("""{"host":"http://a","timeout":{"read":0}}""", "property \"timeout\" validation failed: property \"read\" validation failed: expected 0 to be greater than 0")]
    [InlineData("""{"host":"http://a","queue_size":0}""", "property \"queue_size\" validation failed: expected 0 to be at least 1")]
    [InlineData("""{"host":"http://a","max_failure_ratio":1.5}""", "property \"max_failure_ratio\" validation failed: expected 1.5 to be at most 1")]
    [InlineData("""{"host":"http://a","methods":["get"]}""", "property \"methods\" validation failed: failed to validate item 1: matches none of the enum values")]
    [InlineData("""{"host":"http://a","compare":{"body_bytes":1048577}}""", "property \"compare\" validation failed: property \"body_bytes\" validation failed: expected 1048577 to be at most 1048576")]
    [InlineData("""{"host":"http://a","compare":{"nope":1}}""", "property \"compare\" validation failed: additional properties forbidden, found nope")]
    public void Check_OutOfSchema_RefusedWithValidatorMessage(string config, string message) => Assert.Equal(Prefix + message, Check(config));

    [Fact]
    public void Check_SeventeenTargets_RefusedByTheBound()
    {
        var targets = string.Join(",", Enumerable.Range(0, 17).Select(i => $$"""{"host":"http://h{{i}}"}"""));
        Assert.Equal(Prefix + "property \"targets\" validation failed: expect array to have at most 16 items", Check($$"""{"targets":[{{targets}}]}"""));
    }

    [Fact]
    public void Check_TooManyHeaderEdits_RefusedByTheBound()
    {
        var set = string.Join(",", Enumerable.Range(0, 33).Select(i => $"\"X-{i}\":\"v\""));
        Assert.StartsWith(Prefix + "property \"headers\" validation failed: property \"set\" validation failed:", Check("{\"host\":\"http://a\",\"headers\":{\"set\":{" + set + "}}}"));
    }

    [Fact]
    public void Schema_StaysACleanJsonSchema()
    {
        // GET /apisix/admin/plugins/proxy-mirror serves it: every key is a JSON schema keyword.
        var keywords = new HashSet<string>
        {
            "type", "properties", "pattern", "default", "enum", "description", "minimum", "maximum", "exclusiveMinimum",
            "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "items", "required", "additionalProperties", "maxProperties",
        };
        Walk(Plugin.Schema);

        void Walk(JsonNode? node)
        {
            if (node is not JsonObject obj)
            {
                return;
            }

            foreach (var (key, child) in obj)
            {
                Assert.Contains(key, keywords);
                if (key == "properties")
                {
                    foreach (var (_, property) in child!.AsObject())
                    {
                        Walk(property);
                    }
                }
                else
                {
                    Walk(child);
                }
            }
        }
    }
}
