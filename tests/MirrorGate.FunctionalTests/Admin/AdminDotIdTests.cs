using System.Text;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Admin;

/// <summary>An id a URL cannot name ("." or "..") is refused, however it arrives, so every stored item stays readable and deletable.</summary>
public sealed class AdminDotIdTests
{
    private const string Route = """{"uri":"/a","upstream":{"nodes":{"127.0.0.1:1980":1}}}""";
    private const string Upstream = """{"nodes":{"127.0.0.1:1980":1}}""";

    private static string DotsMessage(string id) =>
        $"invalid configuration: property \"id\" validation failed: an id made only of dots (\"{id}\") cannot be used in a URL";

    [Fact]
    public async Task Put_IdMadeOfDots_400AndNothingStored()
    {
        await using var gateway = await GatewayNode.StartAsync();

        AdminCall.AssertError(await AdminCall.PutAsync(gateway, "/apisix/admin/routes", $$"""{"id":".",{{Route[1..]}}"""), 400, DotsMessage("."));
        AdminCall.AssertError(await AdminCall.PutAsync(gateway, "/apisix/admin/upstreams", $$"""{"id":"..",{{Upstream[1..]}}"""), 400, DotsMessage(".."));
        AdminCall.AssertError(await AdminCall.PutAsync(gateway, "/apisix/admin/services", $$"""{"id":"...",{{Upstream[1..]}}"""), 400, DotsMessage("..."));
        // Percent-encoded twice, so the dots survive the server's own decoding and reach the id.
        AdminCall.AssertError(await VerbatimAsync(gateway, HttpMethod.Put, "/apisix/admin/routes/%252e%252e", Route), 400, DotsMessage(".."));
        AdminCall.AssertError(await VerbatimAsync(gateway, HttpMethod.Put, "/apisix/admin/services/%252E", Upstream), 400, DotsMessage("."));
        // Encoded once, the server removes the dot segment: the URL names no id at all.
        AdminCall.AssertError(await VerbatimAsync(gateway, HttpMethod.Put, "/apisix/admin/routes/%2e", Route), 400, "missing route id");

        foreach (var resource in new[] { "routes", "upstreams", "services" })
        {
            Assert.Equal("""{"list":[],"total":0}""", (await AdminCall.GetAsync(gateway, $"/apisix/admin/{resource}")).Body);
        }
    }

    [Fact]
    public async Task Patch_IdToDots_400WrongIdAndUnchanged()
    {
        await using var gateway = await GatewayNode.StartAsync();
        Assert.Equal(201, (await AdminCall.PutAsync(gateway, "/apisix/admin/routes/1", Route)).Status);
        var before = (await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1")).Body;

        AdminCall.AssertError(await AdminCall.PatchAsync(gateway, "/apisix/admin/routes/1/id", "\"..\""), 400, "wrong route id");
        AdminCall.AssertError(await AdminCall.PatchAsync(gateway, "/apisix/admin/routes/1", """{"id":"."}"""), 400, "wrong route id");
        Assert.Equal(404, (await VerbatimAsync(gateway, HttpMethod.Patch, "/apisix/admin/routes/%252e", """{"desc":"x"}""")).Status);

        Assert.Equal(before, (await AdminCall.GetAsync(gateway, "/apisix/admin/routes/1")).Body);
    }

    // Sends the path exactly as written: HttpClient would otherwise decode %2e and drop dot segments.
    private static Task<AdminAnswer> VerbatimAsync(GatewayNode gateway, HttpMethod method, string path, string body) =>
        AdminCall.SendAsync(gateway, method, path, Encoding.UTF8.GetBytes(body), request =>
        {
            request.RequestUri = new Uri(
                $"http://127.0.0.1:{gateway.AdminPort}{path}",
                new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
            request.Headers.Add("X-API-KEY", GatewayNode.AdminKey);
        });
}
