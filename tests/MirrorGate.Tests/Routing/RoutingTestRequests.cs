using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MirrorGate.Routing;

namespace MirrorGate.Tests.Routing;

/// <summary>Builds requests and indexes for routing tests.</summary>
internal static class RoutingTestRequests
{
    public static HttpContext Request(
        string path,
        string method = "GET",
        string? host = null,
        string? query = null,
        string? remoteIp = "127.0.0.1",
        params (string Name, string Value)[] headers)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Request.Method = method;
        context.Request.Scheme = "http";
        if (host is not null)
        {
            context.Request.Host = new HostString(host);
        }

        if (query is not null)
        {
            context.Request.QueryString = new QueryString(query);
        }

        foreach (var (name, value) in headers)
        {
            context.Request.Headers.Append(name, value);
        }

        if (remoteIp is not null)
        {
            context.Connection.RemoteIpAddress = IPAddress.Parse(remoteIp);
        }

        return context;
    }

    public static RouteMatchSpec Spec(string id, string json, string? serviceJson = null) =>
        RouteMatchSpec.FromConfig(id, JsonNode.Parse(json)!.AsObject(), serviceJson is null ? null : JsonNode.Parse(serviceJson)!.AsObject());

    /// <summary>An index whose values are the route ids, in the given load order.</summary>
    public static RouteIndex<string> Index(params RouteMatchSpec[] specs) =>
        RouteIndex<string>.Build(specs.Select(s => (s, s.Id)));

    public static VarsExpression Vars(string json) => VarsExpression.Compile(JsonNode.Parse(json)!.AsArray());
}
