using MirrorGate.FunctionalTests.Admin;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.Mirroring;

namespace MirrorGate.FunctionalTests.Dashboard;

/// <summary>The page's files at <c>/ui/</c> on the Admin listener: served without a key, with its security headers, behind the listener's own checks.</summary>
public sealed class DashboardPageTests
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

    [Fact]
    public async Task Get_NoKey_ServesThePageWithSecurityHeaders()
    {
        await using var gateway = await GatewayNode.StartAsync();

        using var response = await Client.GetAsync($"http://127.0.0.1:{gateway.AdminPort}/ui/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var csp = string.Join(",", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Contains("form-action 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("DENY", string.Join(",", response.Headers.GetValues("X-Frame-Options")));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Contains("<script src=\"dashboard.js\" defer></script>", html, StringComparison.Ordinal);

        // No inline script, no outside origin: the page works offline and under the CSP.
        Assert.DoesNotMatch("<script>|<script [^>]*>[^<]", html);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/ui/dashboard.js", "text/javascript; charset=utf-8")]
    [InlineData("/ui/dashboard.css", "text/css; charset=utf-8")]
    public async Task Get_Asset_ServedWithItsType(string path, string contentType)
    {
        await using var gateway = await GatewayNode.StartAsync();

        using var response = await Client.GetAsync($"http://127.0.0.1:{gateway.AdminPort}{path}");

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.ToString());
        Assert.DoesNotContain("https://", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_WithoutTrailingSlash_RedirectsToThePage()
    {
        await using var gateway = await GatewayNode.StartAsync();

        using var response = await Client.GetAsync($"http://127.0.0.1:{gateway.AdminPort}/ui");

        Assert.Equal(301, (int)response.StatusCode);
        Assert.Equal("/ui/", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task Get_UnknownFile_404()
    {
        await using var gateway = await GatewayNode.StartAsync();

        using var response = await Client.GetAsync($"http://127.0.0.1:{gateway.AdminPort}/ui/secrets.txt");

        Assert.Equal(404, (int)response.StatusCode);
    }

    [Fact]
    public async Task Get_MirrorCopy_403()
    {
        await using var gateway = await GatewayNode.StartAsync();

        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Get, "/ui/", body: null, request => request.Headers.Add(MirrorMarker.DefaultHeaderName, "some-node"));

        Assert.Equal(403, answer.Status);
    }

    [Fact]
    public async Task Get_ClientNotInAllowAdmin_403()
    {
        await using var gateway = await GatewayNode.StartAsync(adminYaml: "    allow_admin: [10.255.0.0/16]");

        var answer = await AdminCall.SendAsync(gateway, HttpMethod.Get, "/ui/", key: null);

        AdminCall.AssertError(answer, 403, "403 Forbidden: client address is not in deployment.admin.allow_admin");
    }
}
