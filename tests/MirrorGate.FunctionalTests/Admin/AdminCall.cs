using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Admin;

/// <summary>One Admin API answer as the wire carried it: status, raw bytes and the headers the tests check.</summary>
internal sealed record AdminAnswer(int Status, byte[] Raw, string? ContentType, string? ApiVersion)
{
    public string Body => Encoding.UTF8.GetString(Raw);

    public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidOperationException("the body is JSON null");

    public JsonObject Value => (JsonObject)Json["value"]!;
}

/// <summary>Sends Admin API calls with full control over where the key travels.</summary>
internal static class AdminCall
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler { UseCookies = false }) { Timeout = TimeSpan.FromSeconds(30) };

    public static Task<AdminAnswer> SendAsync(GatewayNode node, HttpMethod method, string pathAndQuery, string? body = null, string? key = GatewayNode.AdminKey)
        => SendAsync(node, method, pathAndQuery, body is null ? null : Encoding.UTF8.GetBytes(body), request =>
        {
            if (key is not null)
            {
                request.Headers.Add("X-API-KEY", key);
            }
        });

    public static async Task<AdminAnswer> SendAsync(GatewayNode node, HttpMethod method, string pathAndQuery, byte[]? body, Action<HttpRequestMessage> configure)
    {
        using var request = new HttpRequestMessage(method, $"http://127.0.0.1:{node.AdminPort}{pathAndQuery}");
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        configure(request);
        using var response = await Client.SendAsync(request);
        var raw = await response.Content.ReadAsByteArrayAsync();
        return new AdminAnswer(
            (int)response.StatusCode,
            raw,
            response.Content.Headers.ContentType?.ToString(),
            response.Headers.TryGetValues("X-API-VERSION", out var versions) ? string.Join(",", versions) : null);
    }

    public static Task<AdminAnswer> GetAsync(GatewayNode node, string path) => SendAsync(node, HttpMethod.Get, path);

    public static Task<AdminAnswer> PutAsync(GatewayNode node, string path, string body) => SendAsync(node, HttpMethod.Put, path, body);

    public static Task<AdminAnswer> PostAsync(GatewayNode node, string path, string body) => SendAsync(node, HttpMethod.Post, path, body);

    public static Task<AdminAnswer> PatchAsync(GatewayNode node, string path, string body) => SendAsync(node, HttpMethod.Patch, path, body);

    public static Task<AdminAnswer> DeleteAsync(GatewayNode node, string path) => SendAsync(node, HttpMethod.Delete, path);

    /// <summary>The number of stored routes, from the list endpoint.</summary>
    public static async Task<int> RouteCountAsync(GatewayNode node)
    {
        var answer = await GetAsync(node, "/apisix/admin/routes");
        Assert.Equal(200, answer.Status);
        return answer.Json["total"]!.GetValue<int>();
    }

    /// <summary>Asserts a 400 with exactly <c>{"error_msg": message}</c>.</summary>
    public static void AssertError(AdminAnswer answer, int status, string message)
    {
        Assert.True(answer.Status == status, $"expected {status}, got {answer.Status}: {answer.Body}");
        var json = Assert.IsType<JsonObject>(answer.Json);
        Assert.Equal(message, json["error_msg"]?.GetValue<string>());
        Assert.Single(json);
    }

    /// <summary>A route body proxying <paramref name="uri"/> to <paramref name="upstream"/>.</summary>
    public static string Route(string uri, string upstream) => $$"""{"uri":"{{uri}}","upstream":{"type":"roundrobin","nodes":{"{{upstream}}":1} } }""";
}
