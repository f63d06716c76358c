using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Admin;

/// <summary>
/// APISIX's t/admin/credentials.t through a real gateway: a consumer's credentials under
/// <c>/apisix/admin/consumers/&lt;username&gt;/credentials</c>, with APISIX's keys and texts
/// (key-auth stands for basic-auth, the auth plugin this gateway has).
/// </summary>
public sealed class AdminCredentialTests
{
    private static string Stored(GatewayNode node, string id)
    {
        var store = node.Services.GetService(typeof(MirrorGate.Stores.IConfigStore)) as MirrorGate.Stores.IConfigStore;
        return store!.GetAsync(MirrorGate.Resources.ResourceKind.Credential, id, CancellationToken.None).GetAwaiter().GetResult()?.Json ?? "";
    }

    [Fact]
    public async Task Put_ConsumerMissing_404ConsumerNotFound()
    {
        // credentials.t TEST 1.
        await using var node = await GatewayNode.StartAsync();

        var answer = await AdminCall.PutAsync(node, "/apisix/admin/consumers/jack/credentials/credential_a", """{"plugins":{"key-auth":{"key":"the-key"}}}""");

        AdminCall.AssertError(answer, 404, "consumer not found");
        Assert.Equal("", Stored(node, "jack/credential_a"));
    }

    [Fact]
    public async Task Put_IdInUrl_Then_Get_List_Delete_KeysAsApisix_KeyEncrypted()
    {
        // credentials.t TEST 2-6, 12-13.
        await using var node = await GatewayNode.StartAsync();
        Assert.Equal(201, (await AdminCall.PutAsync(node, "/apisix/admin/consumers", """{"username":"jack"}""")).Status);

        var put = await AdminCall.PutAsync(node, "/apisix/admin/consumers/jack/credentials/credential_a", """{"desc":"basic-auth for jack","plugins":{"key-auth":{"key":"the-key"}}}""");

        Assert.Equal(201, put.Status);
        Assert.Equal("/apisix/consumers/jack/credentials/credential_a", put.Json["key"]!.GetValue<string>());
        Assert.Equal("credential_a", put.Value["id"]!.GetValue<string>());
        var storedKey = put.Value["plugins"]!["key-auth"]!["key"]!.GetValue<string>();
        Assert.NotEqual("the-key", storedKey);
        Assert.Contains(storedKey, Stored(node, "jack/credential_a"));

        var get = await AdminCall.GetAsync(node, "/apisix/admin/consumers/jack/credentials/credential_a");
        Assert.Equal(200, get.Status);
        Assert.Equal("the-key", get.Value["plugins"]!["key-auth"]!["key"]!.GetValue<string>());
        Assert.Equal("basic-auth for jack", get.Value["desc"]!.GetValue<string>());

        Assert.Equal(200, (await AdminCall.PutAsync(node, "/apisix/admin/consumers/jack/credentials/credential_a", """{"desc":"changed","plugins":{"key-auth":{"key":"the-key"}}}""")).Status);
        Assert.Equal(201, (await AdminCall.PutAsync(node, "/apisix/admin/consumers/jack/credentials", """{"id":"credential_b","plugins":{"key-auth":{"key":"other-key"}}}""")).Status);

        var list = await AdminCall.GetAsync(node, "/apisix/admin/consumers/jack/credentials");
        Assert.Equal(200, list.Status);
        Assert.Equal(2, list.Json["total"]!.GetValue<int>());
        Assert.Equal(
            ["/apisix/consumers/jack/credentials/credential_a", "/apisix/consumers/jack/credentials/credential_b"],
            list.Json["list"]!.AsArray().Select(i => i!["key"]!.GetValue<string>()).Order(StringComparer.Ordinal));

        // The consumers' list holds consumers only (APISIX's filter_consumers_list).
        var consumers = await AdminCall.GetAsync(node, "/apisix/admin/consumers");
        Assert.Equal(1, consumers.Json["total"]!.GetValue<int>());

        var deleted = await AdminCall.DeleteAsync(node, "/apisix/admin/consumers/jack/credentials/credential_a");
        Assert.Equal(200, deleted.Status);
        Assert.Equal("""{"deleted":"1","key":"/apisix/consumers/jack/credentials/credential_a"}""", deleted.Body);
        Assert.Equal(404, (await AdminCall.GetAsync(node, "/apisix/admin/consumers/jack/credentials/credential_a")).Status);
    }

    [Fact]
    public async Task Put_NonAuthPlugin_400()
    {
        // credentials.t TEST 7.
        await using var node = await GatewayNode.StartAsync();
        await AdminCall.PutAsync(node, "/apisix/admin/consumers", """{"username":"jack"}""");

        var answer = await AdminCall.PutAsync(node, "/apisix/admin/consumers/jack/credentials/credential_a", """{"plugins":{"limit-count":{"count":2,"time_window":60}}}""");

        AdminCall.AssertError(answer, 400, "only supports auth type plugins in consumer credential");
    }

    [Fact]
    public async Task Put_TwoPlugins_400_AtMostOne()
    {
        // credentials.t TEST 11.
        await using var node = await GatewayNode.StartAsync();
        await AdminCall.PutAsync(node, "/apisix/admin/consumers", """{"username":"jack"}""");

        var answer = await AdminCall.PutAsync(node, "/apisix/admin/consumers/jack/credentials/credential_a", """{"plugins":{"key-auth":{"key":"k1"},"limit-count":{"count":2,"time_window":60}}}""");

        AdminCall.AssertError(answer, 400, "invalid configuration: property \"plugins\" validation failed: expect object to have at most 1 properties");
    }

    [Fact]
    public async Task Put_NoIdAnywhere_400_MissingCredentialId()
    {
        // credentials.t TEST 16.
        await using var node = await GatewayNode.StartAsync();
        await AdminCall.PutAsync(node, "/apisix/admin/consumers", """{"username":"jack"}""");

        var answer = await AdminCall.PutAsync(node, "/apisix/admin/consumers/jack/credentials", """{"plugins":{"key-auth":{"key":"k1"}}}""");

        AdminCall.AssertError(answer, 400, "missing credential id");
    }

    [Fact]
    public async Task Put_DuplicateKeys_400_AcrossConsumersAndCredentials()
    {
        // credentials.t TEST 19-23.
        await using var node = await GatewayNode.StartAsync();
        await AdminCall.PutAsync(node, "/apisix/admin/consumers", """{"username":"alex"}""");
        await AdminCall.PutAsync(node, "/apisix/admin/consumers", """{"username":"bob","plugins":{"key-auth":{"key":"bob-key"}}}""");
        Assert.Equal(201, (await AdminCall.PutAsync(node, "/apisix/admin/consumers/alex/credentials/cred-alex-a", """{"plugins":{"key-auth":{"key":"shared-key"}}}""")).Status);

        AdminCall.AssertError(
            await AdminCall.PutAsync(node, "/apisix/admin/consumers/alex/credentials/cred-alex-b", """{"plugins":{"key-auth":{"key":"shared-key"}}}"""),
            400, "duplicate key of plugin key-auth found with credential: cred-alex-a of consumer: alex");
        AdminCall.AssertError(
            await AdminCall.PutAsync(node, "/apisix/admin/consumers/alex/credentials/cred-alex-b", """{"plugins":{"key-auth":{"key":"bob-key"}}}"""),
            400, "duplicate key of plugin key-auth found with consumer: bob");
        AdminCall.AssertError(
            await AdminCall.PutAsync(node, "/apisix/admin/consumers", """{"username":"bob","plugins":{"key-auth":{"key":"shared-key"}}}"""),
            400, "duplicate key of plugin key-auth found with credential: cred-alex-a of consumer: alex");

        // A credential rewritten with its own key, and a consumer taking its own credential's key, are no duplicates.
        Assert.Equal(200, (await AdminCall.PutAsync(node, "/apisix/admin/consumers/alex/credentials/cred-alex-a", """{"desc":"again","plugins":{"key-auth":{"key":"shared-key"}}}""")).Status);
        Assert.Equal(200, (await AdminCall.PutAsync(node, "/apisix/admin/consumers", """{"username":"alex","plugins":{"key-auth":{"key":"shared-key"}}}""")).Status);
    }

    [Fact]
    public async Task DeleteConsumer_DeletesItsCredentials()
    {
        await using var node = await GatewayNode.StartAsync();
        await AdminCall.PutAsync(node, "/apisix/admin/consumers", """{"username":"jack"}""");
        await AdminCall.PutAsync(node, "/apisix/admin/consumers", """{"username":"rose"}""");
        await AdminCall.PutAsync(node, "/apisix/admin/consumers/jack/credentials/a", """{"plugins":{"key-auth":{"key":"jack-a"}}}""");
        await AdminCall.PutAsync(node, "/apisix/admin/consumers/rose/credentials/a", """{"plugins":{"key-auth":{"key":"rose-a"}}}""");

        Assert.Equal(200, (await AdminCall.DeleteAsync(node, "/apisix/admin/consumers/jack")).Status);

        Assert.Equal("", Stored(node, "jack/a"));
        Assert.NotEqual("", Stored(node, "rose/a"));
        AdminCall.AssertError(await AdminCall.PutAsync(node, "/apisix/admin/consumers/jack/credentials/a", """{"plugins":{"key-auth":{"key":"jack-a"}}}"""), 404, "consumer not found");
    }
}
