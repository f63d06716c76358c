using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MirrorGate.Hosting;
using MirrorGate.Mirroring;
using MirrorGate.Stores;

namespace MirrorGate.FunctionalTests.Infrastructure;

/// <summary>
/// One gateway node started in this process on real 127.0.0.1 ports, from a real config.yaml in a
/// temporary directory, with the embedded store. Tests talk to it over HTTP only.
/// </summary>
internal sealed class GatewayNode : IAsyncDisposable
{
    public const string AdminKey = "edd1c9f034335f136f87ad84b625c8f1";
    public const string ViewerKey = "4054f7cf07e344346cd3f287985e76a2";

    private readonly WebApplication _app;

    private GatewayNode(WebApplication app, string directory, string configPath, int proxyPort, int adminPort, int metricsPort, int? h2Port, CapturedLogs logs)
    {
        _app = app;
        Directory = directory;
        ConfigPath = configPath;
        ProxyPort = proxyPort;
        AdminPort = adminPort;
        MetricsPort = metricsPort;
        Http2Port = h2Port;
        Logs = logs;
        Client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}"), Timeout = TimeSpan.FromSeconds(30) };
        Admin.DefaultRequestHeaders.Add("X-API-KEY", AdminKey);
    }

    public string Directory { get; }

    public string ConfigPath { get; }

    public int ProxyPort { get; }

    public int AdminPort { get; }

    public int MetricsPort { get; }

    /// <summary>A node_listen item with enable_http2 (h2c), when asked for.</summary>
    public int? Http2Port { get; }

    public string ProxyUrl => $"http://127.0.0.1:{ProxyPort}";

    public CapturedLogs Logs { get; }

    /// <summary>A plain client for proxy calls (no key).</summary>
    public HttpClient Client { get; }

    /// <summary>An Admin API client that sends the admin key.</summary>
    public HttpClient Admin { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The node's id, which every mirror copy it makes carries in the mirror marker.</summary>
    public string NodeId => Services.GetRequiredService<MirrorRuntime>().Marker.NodeId;

    /// <summary>
    /// Starts a node. <paramref name="pluginAttrYaml"/> is inserted under <c>plugin_attr:</c>
    /// (indented by the caller with two spaces); <paramref name="extraYaml"/> is appended at top level;
    /// <paramref name="adminYaml"/> is inserted under <c>deployment.admin:</c> (indented by four spaces);
    /// <paramref name="storeYaml"/>, when given, replaces the store lines under <c>deployment:</c>
    /// (indented by two spaces, e.g. <c>role_traditional: {config_provider: etcd}</c> and an
    /// <c>etcd:</c> section), and <paramref name="storeProviders"/> are the stores beyond SQLite (etcd);
    /// <paramref name="apisixYaml"/> is inserted under <c>apisix:</c> (indented by two spaces).
    /// </summary>
    public static async Task<GatewayNode> StartAsync(
        string? pluginAttrYaml = null,
        string? extraYaml = null,
        bool withHttp2Port = false,
        string? adminYaml = null,
        string? storeYaml = null,
        IReadOnlyList<IConfigStoreProvider>? storeProviders = null,
        string? apisixYaml = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            var directory = Path.Combine(Path.GetTempPath(), "mirrorgate-tests", Guid.NewGuid().ToString("N"));
            System.IO.Directory.CreateDirectory(directory);
            int proxy = FreePort.Next(), admin = FreePort.Next(), metrics = FreePort.Next();
            int? h2 = withHttp2Port ? FreePort.Next() : null;
            var configPath = Path.Combine(directory, "config.yaml");
            await File.WriteAllTextAsync(configPath, RenderConfig(directory, proxy, admin, metrics, h2, pluginAttrYaml, extraYaml, adminYaml, storeYaml, apisixYaml));

            var logs = new CapturedLogs();
            var bootstrap = NodeBootstrap.Load(CommandLine.Parse(["-c", configPath, "--Logging:LogLevel:Default=Information", "--Logging:LogLevel:Microsoft=Warning"]))
                with { StoreProviders = storeProviders ?? [] };
            var app = await MirrorGateHost.BuildAsync(bootstrap, services => services.AddSingleton<ILoggerProvider>(logs), CancellationToken.None);
            try
            {
                await app.StartAsync();
                return new GatewayNode(app, directory, configPath, proxy, admin, metrics, h2, logs);
            }
            catch (IOException) when (attempt < 3)
            {
                await app.DisposeAsync();
            }
        }
    }

    public static string RenderConfig(string directory, int proxy, int admin, int metrics, int? h2, string? pluginAttrYaml, string? extraYaml, string? adminYaml = null, string? storeYaml = null, string? apisixYaml = null)
    {
        var text = new StringBuilder();
        text.AppendLine("apisix:");
        if (apisixYaml is not null)
        {
            text.AppendLine(apisixYaml.TrimEnd());
        }

        text.AppendLine("  node_listen:");
        text.AppendLine($"    - {{ip: 127.0.0.1, port: {proxy}}}");
        if (h2 is { } h2Port)
        {
            text.AppendLine($"    - {{ip: 127.0.0.1, port: {h2Port}, enable_http2: true}}");
        }

        text.AppendLine("deployment:");
        text.AppendLine("  role: traditional");
        if (storeYaml is not null)
        {
            text.AppendLine(storeYaml.TrimEnd());
        }
        else
        {
            text.AppendLine("  role_traditional: {config_provider: sqlite}");
            text.AppendLine($"  sqlite: {{path: {Path.Combine(directory, "mirrorgate.db")}}}");
        }

        text.AppendLine("  admin:");
        text.AppendLine("    admin_key:");
        text.AppendLine($"      - {{name: admin, key: {AdminKey}, role: admin}}");
        text.AppendLine($"      - {{name: viewer, key: {ViewerKey}, role: viewer}}");
        text.AppendLine($"    admin_listen: {{ip: 127.0.0.1, port: {admin}}}");
        if (adminYaml is not null)
        {
            text.AppendLine(adminYaml.TrimEnd());
        }

        text.AppendLine("plugin_attr:");
        text.AppendLine($"  prometheus: {{export_addr: {{ip: 127.0.0.1, port: {metrics}}}}}");
        if (pluginAttrYaml is not null)
        {
            text.AppendLine(pluginAttrYaml.TrimEnd());
        }

        if (extraYaml is not null)
        {
            text.AppendLine(extraYaml.TrimEnd());
        }

        // The access log is on by default, in logs/ under the working directory; a node under
        // test keeps it in its own directory, which is deleted with it.
        if (extraYaml?.Contains("nginx_config:", StringComparison.Ordinal) != true)
        {
            text.AppendLine("nginx_config:");
            text.AppendLine($"  http: {{access_log: {Path.Combine(directory, "logs", "access.log")}}}");
        }

        return text.ToString();
    }

    /// <summary>Sends an Admin API call; returns the status and the raw body.</summary>
    public async Task<(int Status, string Body)> AdminAsync(HttpMethod method, string path, string? json = null, string? key = AdminKey)
    {
        using var request = new HttpRequestMessage(method, $"http://127.0.0.1:{AdminPort}{path}");
        if (key is not null)
        {
            request.Headers.Add("X-API-KEY", key);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        using var client = new HttpClient();
        using var response = await client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>PUTs a route and fails the test unless the Admin API accepted it.</summary>
    public async Task PutRouteAsync(string id, string json)
    {
        var (status, body) = await AdminAsync(HttpMethod.Put, $"/apisix/admin/routes/{id}", json);
        if (status is not (200 or 201))
        {
            throw new InvalidOperationException($"route {id} rejected: {status} {body}");
        }
    }

    /// <summary>The Prometheus exposition this node serves.</summary>
    public Task<string> MetricsAsync() => Client.GetStringAsync($"http://127.0.0.1:{MetricsPort}/apisix/prometheus/metrics");

    /// <summary>The value of one series (exact label text, e.g. <c>{reason="queue_full",route="1",target="http://x"}</c>); 0 when absent.</summary>
    public async Task<double> MetricAsync(string name, string labels = "")
    {
        var text = await MetricsAsync();
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + labels + " ", StringComparison.Ordinal) || (labels.Length == 0 && line.StartsWith(name + " ", StringComparison.Ordinal)))
            {
                return double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    /// <summary>Sums every series of a metric whose labels contain all of <paramref name="labelParts"/>.</summary>
    public async Task<double> MetricSumAsync(string name, params string[] labelParts)
    {
        var text = await MetricsAsync();
        double sum = 0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(name + "{", StringComparison.Ordinal) || line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                var labels = line[..line.LastIndexOf(' ')];
                if (labelParts.All(p => labels.Contains(p, StringComparison.Ordinal)))
                {
                    sum += double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }

        return sum;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Admin.Dispose();
        await _app.StopAsync(TimeSpan.FromSeconds(5).ToCancellationToken());
        await _app.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
