using Microsoft.AspNetCore.Http;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Proxy;

/// <summary>Small helpers shared by the proxy tests: upstreams that say who they are, and one-line proxy calls.</summary>
internal static class ProxyKit
{
    /// <summary>An upstream answering 200 with its own name, so a test can tell which route or node served.</summary>
    public static async Task<RecordingServer> NamedAsync(string name)
    {
        var server = await RecordingServer.StartAsync();
        server.Respond = http => http.Response.WriteAsync(name);
        return server;
    }

    /// <summary>An inline roundrobin upstream with weight 1 on the given server.</summary>
    public static string To(RecordingServer server) => $$"""{"type":"roundrobin","nodes":{"{{server.Address}}":1} }""";

    /// <summary>Sends one request through the proxy; returns the status and body.</summary>
    public static async Task<(int Status, string Body)> SendAsync(
        this GatewayNode gateway,
        string pathAndQuery,
        string? host = null,
        HttpMethod? method = null,
        Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, gateway.ProxyUrl + pathAndQuery);
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        configure?.Invoke(request);
        using var response = await gateway.Client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The body of a request that must answer 200.</summary>
    public static async Task<string> BodyAsync(this GatewayNode gateway, string pathAndQuery, string? host = null, HttpMethod? method = null, Action<HttpRequestMessage>? configure = null)
    {
        var (status, body) = await gateway.SendAsync(pathAndQuery, host, method, configure);
        Assert.True(status == 200, $"{method ?? HttpMethod.Get} {pathAndQuery} (host {host}) answered {status}: {body}");
        return body;
    }

    /// <summary>PUTs any Admin resource and fails the test unless it was accepted.</summary>
    public static async Task PutAsync(this GatewayNode gateway, string path, string json)
    {
        var (status, body) = await gateway.AdminAsync(HttpMethod.Put, path, json);
        Assert.True(status is 200 or 201, $"PUT {path} answered {status}: {body}");
    }
}
