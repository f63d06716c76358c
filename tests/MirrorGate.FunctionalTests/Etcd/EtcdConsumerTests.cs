using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Etcd;

/// <summary>Consumers on a real etcd in APISIX's layout: what the Admin API writes, and what APISIX wrote.</summary>
public sealed class EtcdConsumerTests
{
    [Fact]
    public async Task AdminPut_StoredAsApisix_KeyEncrypted_ReadBackInClear_DeleteRemovesIt()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var gateway = await EtcdTestStores.StartGatewayAsync(etcd);
        using var client = etcd.CreateClient();

        var (status, _) = await gateway.AdminAsync(HttpMethod.Put, "/apisix/admin/consumers", """{"username":"jack","desc":"new consumer","plugins":{"key-auth":{"key":"auth-one"}}}""");

        Assert.Equal(201, status);
        var kv = Assert.Single((await client.GetAsync("/apisix/consumers/jack")).Kvs);
        var stored = JsonNode.Parse(kv.Value.ToStringUtf8())!.AsObject();
        Assert.Equal("jack", stored["username"]!.GetValue<string>());
        Assert.False(stored.ContainsKey("id"));
        Assert.Equal("4y+JvURBE6ZwRbbgaryrhg==", stored["plugins"]!["key-auth"]!["key"]!.GetValue<string>());
        var (_, body) = await gateway.AdminAsync(HttpMethod.Get, "/apisix/admin/consumers/jack");
        var read = JsonNode.Parse(body)!;
        Assert.Equal("auth-one", read["value"]!["plugins"]!["key-auth"]!["key"]!.GetValue<string>());
        Assert.Equal(kv.ModRevision, read["modifiedIndex"]!.GetValue<long>());

        Assert.Equal(200, (await gateway.AdminAsync(HttpMethod.Delete, "/apisix/admin/consumers/jack")).Status);
        Assert.Empty((await client.GetAsync("/apisix/consumers/jack")).Kvs);
    }

    [Fact]
    public async Task ConsumerWrittenByApisix_KeyEncryptedWithOlderKeyringKey_Authenticates_ApisixCredentialAuthenticatesToo()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var upstream = await RecordingServer.StartAsync();
        await using var gateway = await EtcdTestStores.StartGatewayAsync(etcd);
        using var client = etcd.CreateClient();

        // "bar" as APISIX stores it with the keyring's second key (t/node/data_encrypt.t TEST 1), and a credential below it.
        await client.PutAsync("/apisix/consumers/foo", """{"username":"foo","plugins":{"key-auth":{"key":"77+NmbYqNfN+oLm0aX5akg=="}},"create_time":1700000000,"update_time":1700000000}""");
        await client.PutAsync("/apisix/consumers/foo/credentials/c1", """{"plugins":{"key-auth":{"key":"other"}}}""");
        // The Admin API answers once its write is live, so everything written before it is live too.
        await gateway.PutRouteAsync("1", $$"""{"uri":"/hello","plugins":{"key-auth":{} },"upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1} } }""");

        using var request = new HttpRequestMessage(HttpMethod.Get, gateway.ProxyUrl + "/hello");
        request.Headers.Add("apikey", "bar");
        using var response = await gateway.Client.SendAsync(request);

        using var byCredential = new HttpRequestMessage(HttpMethod.Get, gateway.ProxyUrl + "/hello");
        byCredential.Headers.Add("apikey", "other");
        using var credentialResponse = await gateway.Client.SendAsync(byCredential);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(200, (int)credentialResponse.StatusCode);
        Assert.Equal(2, upstream.Requests.Count);
        Assert.Equal("foo", upstream.Requests[0].Header("X-Consumer-Username"));
        Assert.Null(upstream.Requests[0].Header("X-Credential-Identifier"));
        Assert.Equal("foo", upstream.Requests[1].Header("X-Consumer-Username"));
        Assert.Equal("c1", upstream.Requests[1].Header("X-Credential-Identifier"));
        var list = JsonNode.Parse((await gateway.AdminAsync(HttpMethod.Get, "/apisix/admin/consumers")).Body)!;
        Assert.Equal(1, list["total"]!.GetValue<int>());
        Assert.DoesNotContain(gateway.Logs.Lines, l => l.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task CredentialWrittenByAdminApi_StoredAtApisixKey_GoesWithItsConsumer()
    {
        await using var etcd = await EtcdServer.StartAsync();
        await using var gateway = await EtcdTestStores.StartGatewayAsync(etcd);
        using var client = etcd.CreateClient();

        Assert.Equal(201, (await gateway.AdminAsync(HttpMethod.Put, "/apisix/admin/consumers", """{"username":"jack"}""")).Status);
        Assert.Equal(201, (await gateway.AdminAsync(HttpMethod.Put, "/apisix/admin/consumers/jack/credentials/cred-1", """{"plugins":{"key-auth":{"key":"jack-key"}}}""")).Status);

        var kv = Assert.Single((await client.GetAsync("/apisix/consumers/jack/credentials/cred-1")).Kvs);
        var stored = JsonNode.Parse(kv.Value.ToStringUtf8())!;
        Assert.Equal("cred-1", stored["id"]!.GetValue<string>());
        Assert.NotEqual("jack-key", stored["plugins"]!["key-auth"]!["key"]!.GetValue<string>());
        var (_, body) = await gateway.AdminAsync(HttpMethod.Get, "/apisix/admin/consumers/jack/credentials/cred-1");
        Assert.Equal("jack-key", JsonNode.Parse(body)!["value"]!["plugins"]!["key-auth"]!["key"]!.GetValue<string>());

        Assert.Equal(200, (await gateway.AdminAsync(HttpMethod.Delete, "/apisix/admin/consumers/jack")).Status);
        Assert.Empty((await client.GetAsync("/apisix/consumers/jack/credentials/cred-1")).Kvs);
    }
}
