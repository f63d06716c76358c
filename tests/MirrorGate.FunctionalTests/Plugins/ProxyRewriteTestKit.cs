using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>Route JSON and one-request helpers for the proxy-rewrite tests.</summary>
internal static class ProxyRewriteTestKit
{
    /// <summary>A route with proxy-rewrite: <paramref name="rewriteJson"/> is the inside of the plugin object.</summary>
    public static string RewriteRoute(string uri, string rewriteJson, string upstreamAddress, string extraPlugins = "")
        => $$"""
            {"uri":"{{uri}}","plugins":{"proxy-rewrite":{ {{rewriteJson}} }{{extraPlugins}} },
             "upstream":{"type":"roundrobin","nodes":{"{{upstreamAddress}}":1} } }
            """;

    /// <summary>Sends one GET with the target exactly as written and extra header lines; returns what the upstream received.</summary>
    public static async Task<RecordedRequest> GetThroughAsync(GatewayNode gateway, RecordingServer upstream, string target, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway.ProxyUrl + target, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true }));
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await gateway.Client.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);
        return await upstream.NextAsync();
    }

    /// <summary>A header's values as the upstream got them, split at commas.</summary>
    public static string[] Values(RecordedRequest request, string name)
        => request.Header(name)?.Split(',', StringSplitOptions.TrimEntries) ?? [];
}
