using MirrorGate.FunctionalTests.Process;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using MirrorGate.Etcd;
using MirrorGate.FunctionalTests.Etcd;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Cluster;

/// <summary>Helpers shared by the cluster tests: nodes on one etcd, bounded waits for what a node serves, latency figures.</summary>
internal static class ClusterKit
{
    /// <summary>A temporary directory for a gateway process whose store is <paramref name="etcd"/> under <paramref name="prefix"/>.</summary>
    public static NodeDirectory EtcdDirectory(EtcdServer etcd, string prefix = "/apisix")
        => new(EtcdTestStores.DeploymentYaml(etcd, prefix), "cluster");

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Starts <paramref name="count"/> in-process nodes on the same etcd prefix.</summary>
    public static async Task<GatewayNode[]> StartNodesAsync(EtcdServer etcd, int count, string prefix = "/apisix", string? pluginAttrYaml = null)
    {
        var nodes = new List<GatewayNode>();
        try
        {
            for (var i = 0; i < count; i++)
            {
                nodes.Add(await EtcdTestStores.StartGatewayAsync(etcd, prefix, pluginAttrYaml));
            }

            return nodes.ToArray();
        }
        catch
        {
            await DisposeAllAsync(nodes);
            throw;
        }
    }

    /// <summary>An in-process node whose <c>deployment.etcd.host</c> is <paramref name="etcdUrl"/> (e.g. a <see cref="TcpRelay"/> in front of etcd).</summary>
    public static Task<GatewayNode> StartNodeOnAsync(string etcdUrl, string prefix = "/apisix") =>
        GatewayNode.StartAsync(
            storeYaml: $$"""
                  role_traditional: {config_provider: etcd}
                  etcd:
                    host: ["{{etcdUrl}}"]
                    prefix: {{prefix}}
                    timeout: 3
                """,
            storeProviders: [new EtcdStoreProvider()]);

    public static async Task DisposeAllAsync(IEnumerable<GatewayNode> nodes)
    {
        foreach (var node in nodes)
        {
            await node.DisposeAsync();
        }
    }

    /// <summary>The status of one GET through the proxy at <paramref name="proxyUrl"/>; 0 when the connection failed.</summary>
    public static async Task<(int Status, string Body)> GetAsync(string proxyUrl, string path)
    {
        try
        {
            using var response = await Http.GetAsync(proxyUrl + path);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (HttpRequestException ex)
        {
            return (0, ex.Message);
        }
    }

    /// <summary>
    /// Polls (no pause: each poll is one local request) until <paramref name="proxyUrl"/> answers
    /// <paramref name="status"/> on <paramref name="path"/>; returns how long that took. Fails the
    /// test after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<TimeSpan> WaitForStatusAsync(string proxyUrl, string path, int status, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(15);
        var last = (Status: 0, Body: "");
        while (clock.Elapsed < limit)
        {
            last = await GetAsync(proxyUrl, path);
            if (last.Status == status)
            {
                return clock.Elapsed;
            }
        }

        throw new TimeoutException($"{proxyUrl}{path} did not answer {status} within {limit.TotalSeconds} s; last answer {last.Status}: {last.Body}");
    }

    /// <summary>An Admin API call to 127.0.0.1:<paramref name="adminPort"/> with the harness's admin key.</summary>
    public static async Task<(int Status, string Body)> AdminAsync(int adminPort, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, $"http://127.0.0.1:{adminPort}{path}");
        request.Headers.Add("X-API-KEY", GatewayNode.AdminKey);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        using var response = await Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The nearest-rank percentile (0-100) of <paramref name="values"/>.</summary>
    public static TimeSpan Percentile(IReadOnlyList<TimeSpan> values, double percent)
    {
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}
