using System.Text.Json.Nodes;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Admin;

/// <summary>
/// APISIX's t/admin/consumers.t and consumers2.t through a real node: keyed by username, PUT with
/// the username in the body, exact texts, and key-auth's key stored encrypted with APISIX's default
/// keyring (the stored bytes APISIX's own test expects) while reads answer it in clear.
/// </summary>
public sealed class AdminConsumerTests
{
    private static string Stored(GatewayNode node, string name)
    {
        var store = node.Services.GetService(typeof(MirrorGate.Stores.IConfigStore)) as MirrorGate.Stores.IConfigStore;
        return store!.GetAsync(MirrorGate.Resources.ResourceKind.Consumer, name, CancellationToken.None).GetAwaiter().GetResult()!.Json;
    }

    [Fact]
    public async Task Put_UsernameInBody_Created201_ThenUpdated200_KeyAndValueAsApisix()
    {
        // consumers.t TEST 1-2, consumers2.t TEST 1.
        await using var node = await GatewayNode.StartAsync();

        var created = await AdminCall.PutAsync(node, "/apisix/admin/consumers", """{"username":"jack","desc":"new consumer"}""");
        Assert.Equal(201, created.Status);
        Assert.Equal("/apisix/consumers/jack", created.Json["key"]!.GetValue<string>());
        var value = created.Value;
        Assert.Equal("jack", value["username"]!.GetValue<string>());
        Assert.Equal("new consumer", value["desc"]!.GetValue<string>());
        Assert.False(value.ContainsKey("id"));
        var createTime = value["create_time"]!.GetValue<long>();
        Assert.NotNull(value["update_time"]);

        var updated = await AdminCall.PutAsync(node, "/apisix/admin/consumers", """{"username":"jack","desc":"new consumer","plugins":{"key-auth":{"key":"auth-one"}}}""");
        Assert.Equal(200, updated.Status);
        // APISIX answers what it stored: the key encrypted (AES-128-CBC, key qeddd145sfvddff3, consumers.t TEST 2).
        Assert.Equal("4y+JvURBE6ZwRbbgaryrhg==", updated.Value["plugins"]!["key-auth"]!["key"]!.GetValue<string>());
        Assert.Equal(createTime, updated.Value["create_time"]!.GetValue<long>());
        Assert.Contains("\"key\":\"4y+JvURBE6ZwRbbgaryrhg==\"", Stored(node, "jack"));
    }

    [Fact]
    public async Task Get_OneAndList_KeyInClear_IndexesPresent()
    {
        // consumers.t TEST 3, consumers2.t TEST 2.
        await using var node = await GatewayNode.StartAsync();
        await AdminCall.PutAsync(node, "/apisix/admin/consumers", """{"username":"jack","desc":"new consumer","plugins":{"key-auth":{"key":"auth-one"}}}""");

        var one = await AdminCall.GetAsync(node, "/apisix/admin/consumers/jack");
        Assert.Equal(200, one.Status);
        Assert.Equal("/apisix/consumers/jack", one.Json["key"]!.GetValue<string>());
        Assert.Equal("auth-one", one.Value["plugins"]!["key-auth"]!["key"]!.GetValue<string>());
        Assert.NotNull(one.Json["createdIndex"]);
        Assert.NotNull(one.Json["modifiedIndex"]);

        var list = await AdminCall.GetAsync(node, "/apisix/admin/consumers");
        Assert.Equal(1, list.Json["total"]!.GetValue<int>());
        Assert.Equal("auth-one", list.Json["list"]![0]!["value"]!["plugins"]!["key-auth"]!["key"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_AnswersDeletedOne_ThenNotFound404()
    {
        // consumers.t TEST 4-5, consumers2.t TEST 3-4.
        await using var node = await GatewayNode.StartAsync();
        await AdminCall.PutAsync(node, "/apisix/admin/consumers", """{"username":"jack"}""");

        var deleted = await AdminCall.DeleteAsync(node, "/apisix/admin/consumers/jack");
        Assert.Equal(200, deleted.Status);
        Assert.Equal("""{"deleted":"1","key":"/apisix/consumers/jack"}""", deleted.Body);

        Assert.Equal(404, (await AdminCall.DeleteAsync(node, "/apisix/admin/consumers/not_found")).Status);
        Assert.Equal("""{"list":[],"total":0}""", (await AdminCall.GetAsync(node, "/apisix/admin/consumers")).Body);
        Assert.Equal(404, (await AdminCall.GetAsync(node, "/apisix/admin/consumers/jack")).Status);
    }

    [Theory]
    [InlineData("""{"id":"jack"}""", """{"error_msg":"invalid configuration: property \"username\" is required"}""")]
    [InlineData("""{"username":"jack","desc":"new consumer","labels":{"env":["production","release"]}}""",
        """{"error_msg":"invalid configuration: property \"labels\" validation failed: failed to validate env (matching \".*\"): wrong type: expected string, got table"}""")]
    [InlineData("""{"username":"jack","plugins":{"key-auth":{}}}""",
        """{"error_msg":"invalid plugins configuration: failed to check the configuration of plugin key-auth err: property \"key\" is required"}""")]
    [InlineData("""{"username":"jack","plugins":{"key-auth":{"key":123}}}""",
        """{"error_msg":"invalid plugins configuration: failed to check the configuration of plugin key-auth err: property \"key\" validation failed: wrong type: expected string, got number"}""")]
    [InlineData("""{"username":"jack","plugins":{"request-id":{"header_name":1}}}""",
        """{"error_msg":"invalid plugins configuration: failed to check the configuration of plugin request-id err: property \"header_name\" validation failed: wrong type: expected string, got number"}""")]
    [InlineData("""{"username":"jack","plugins":{"no-such":{}}}""", """{"error_msg":"invalid plugins configuration: unknown plugin [no-such]"}""")]
    [InlineData("""{"username":"jack.smith"}""",
        """{"error_msg":"invalid configuration: property \"username\" validation failed: failed to match pattern \"^[a-zA-Z0-9_\\\\-]+$\" with \"jack.smith\""}""")]
    [InlineData("""{"username":"jack\n"}""",
        """{"error_msg":"invalid configuration: property \"username\" validation failed: failed to match pattern \"^[a-zA-Z0-9_\\\\-]+$\" with \"jack\\\n\""}""")]
    [InlineData("""{"username":"jack","unknown":1}""", """{"error_msg":"invalid configuration: additional properties forbidden, found unknown"}""")]
    [InlineData("""{"username":"jack","group_id":"g1"}""", """{"error_msg":"invalid configuration: group_id is not supported: consumer groups are not implemented by this gateway yet"}""")]
    [InlineData("""{"username":"pony","desc":"new consumer","create_time":1602883670,"update_time":1602893670}""", """{"error_msg":"the property is forbidden:  create_time"}""")]
    [InlineData("""{"username":"jack","plugins":{"key-auth":{"key":"$env://KEY"}}}""",
        """{"error_msg":"invalid plugins configuration: key-auth's key is a secret reference; secrets ($env://, $secret://) are not implemented by this gateway yet"}""")]
    public async Task Put_Invalid_400WithApisixText_NothingStored(string body, string expected)
    {
        // consumers.t TEST 6, 9, 11; key-auth.t TEST 2, 9.
        await using var node = await GatewayNode.StartAsync();

        var answer = await AdminCall.PutAsync(node, "/apisix/admin/consumers", body);

        Assert.Equal(400, answer.Status);
        Assert.Equal(expected, answer.Body);
        Assert.Equal("""{"list":[],"total":0}""", (await AdminCall.GetAsync(node, "/apisix/admin/consumers")).Body);
    }

    [Fact]
    public async Task Put_UsernameWithDashAndUnderscore_Created()
    {
        // consumers.t TEST 7.
        await using var node = await GatewayNode.StartAsync();
        Assert.Equal(201, (await AdminCall.PutAsync(node, "/apisix/admin/consumers", """{"username":"Jack-and-Rose_123"}""")).Status);
    }

    [Fact]
    public async Task Put_NameInUrl_MustMatchBody()
    {
        // consumers2.t TEST 5.
        await using var node = await GatewayNode.StartAsync();
        Assert.Equal("""{"error_msg":"wrong username"}""", (await AdminCall.PutAsync(node, "/apisix/admin/consumers/jack1", """{"username":"jack"}""")).Body);
        Assert.Equal(201, (await AdminCall.PutAsync(node, "/apisix/admin/consumers/jack", """{"username":"jack"}""")).Status);
    }

    [Fact]
    public async Task PostAndPatch_405()
    {
        // consumers.t TEST 10.
        await using var node = await GatewayNode.StartAsync();
        var post = await AdminCall.PostAsync(node, "/apisix/admin/consumers", "");
        Assert.Equal(405, post.Status);
        Assert.Equal("""{"error_msg":"not supported `POST` method for consumer"}""", post.Body);
        var patch = await AdminCall.PatchAsync(node, "/apisix/admin/consumers/jack", """{"desc":"x"}""");
        Assert.Equal(405, patch.Status);
        Assert.Equal("""{"error_msg":"not supported `PATCH` method for consumer"}""", patch.Body);
    }

    [Fact]
    public async Task Put_SameKeyAsAnotherConsumer_400_OwnKeyKept_DifferentKeyAccepted()
    {
        // consumers.t TEST 12-15, 17-18 (with encryption on, the stored key is compared in clear).
        await using var node = await GatewayNode.StartAsync();
        Assert.Equal(201, (await AdminCall.PutAsync(node, "/apisix/admin/consumers", """{"username":"case_a","plugins":{"key-auth":{"key":"duplicate-check-key-1"}}}""")).Status);

        var duplicate = await AdminCall.PutAsync(node, "/apisix/admin/consumers", """{"username":"case_b","plugins":{"key-auth":{"key":"duplicate-check-key-1"}}}""");
        Assert.Equal(400, duplicate.Status);
        Assert.Equal("""{"error_msg":"duplicate key of plugin key-auth found with consumer: case_a"}""", duplicate.Body);

        Assert.Equal(201, (await AdminCall.PutAsync(node, "/apisix/admin/consumers", """{"username":"case_b","plugins":{"key-auth":{"key":"duplicate-check-key-2"}}}""")).Status);
        Assert.Equal(200, (await AdminCall.PutAsync(node, "/apisix/admin/consumers", """{"username":"case_a","desc":"updated description","plugins":{"key-auth":{"key":"duplicate-check-key-1"}}}""")).Status);
    }

    [Fact]
    public async Task EncryptionOff_KeyStoredInClear()
    {
        await using var node = await GatewayNode.StartAsync(apisixYaml: "  data_encryption: {enable_encrypt_fields: false}");
        var put = await AdminCall.PutAsync(node, "/apisix/admin/consumers", """{"username":"jack","plugins":{"key-auth":{"key":"auth-one"}}}""");
        Assert.Equal("auth-one", put.Value["plugins"]!["key-auth"]!["key"]!.GetValue<string>());
        Assert.Contains("\"key\":\"auth-one\"", Stored(node, "jack"));
    }

    [Fact]
    public async Task Schemas_ConsumerAndKeyAuthConsumerSchema_Served()
    {
        await using var node = await GatewayNode.StartAsync();

        var consumer = await AdminCall.GetAsync(node, "/apisix/admin/schema/consumer");
        var keyAuth = await AdminCall.GetAsync(node, "/apisix/admin/plugins/key-auth?schema_type=consumer");
        var route = await AdminCall.GetAsync(node, "/apisix/admin/plugins/key-auth");
        var none = await AdminCall.GetAsync(node, "/apisix/admin/plugins/proxy-rewrite?schema_type=consumer");

        Assert.Equal("username", consumer.Json["required"]![0]!.GetValue<string>());
        Assert.Equal("key", keyAuth.Json["required"]![0]!.GetValue<string>());
        Assert.Equal("key", keyAuth.Json["encrypt_fields"]![0]!.GetValue<string>());
        Assert.Equal("apikey", route.Json["properties"]!["header"]!["default"]!.GetValue<string>());
        Assert.Equal(400, none.Status);
        Assert.Equal("""{"error_msg":"not found schema"}""", none.Body);
    }

    [Fact]
    public async Task List_Paged_TotalCountsAll()
    {
        await using var node = await GatewayNode.StartAsync();
        for (var i = 1; i <= 12; i++)
        {
            await AdminCall.PutAsync(node, "/apisix/admin/consumers", $$"""{"username":"user{{i}}"}""");
        }

        var second = await AdminCall.GetAsync(node, "/apisix/admin/consumers?page=2&page_size=10");

        Assert.Equal(12, second.Json["total"]!.GetValue<int>());
        Assert.Equal(["user11", "user12"], second.Json["list"]!.AsArray().Select(i => i!["value"]!["username"]!.GetValue<string>()));
        Assert.Equal("""{"error_msg":"page_size must be between 10 and 500"}""", (await AdminCall.GetAsync(node, "/apisix/admin/consumers?page_size=5")).Body);
    }
}
