using Microsoft.AspNetCore.Http;
using MirrorGate.Admin.Dashboard;
using MirrorGate.Mirroring;
using MirrorGate.Resources;
using MirrorGate.Stores;

namespace MirrorGate.Admin;

/// <summary>
/// The Admin API v3 on its own listener: client allow-list, CORS, the key check, then dispatch
/// of <c>/apisix/admin/&lt;resource&gt;[/&lt;id&gt;[/&lt;sub/path&gt;]]</c> as APISIX's router does.
/// The dashboard page (<see cref="DashboardPage.Path"/>) is served here too, after the address
/// and mirror-copy checks but without a key: its data comes from <c>/apisix/admin/mirror/dashboard</c>.
/// </summary>
internal sealed class AdminApiMiddleware(
    AdminAuthenticator authenticator,
    ResourceApi resources,
    ConsumerApi consumers,
    PluginApi plugins,
    MirrorMismatchApi mismatches,
    MirrorMarker marker,
    MirrorDashboardApi dashboard,
    DashboardPage dashboardPage)
{
    private const string Prefix = "/apisix/admin";

    private readonly string _mirrorCopyRefused = MirrorCopyRefused(marker);

    public static string MirrorCopyRefused(MirrorMarker marker) =>
        "403 Forbidden: this request is a mirror copy (it carries " + marker.Names + "); mirror copies may not call the Admin API";

    // Resources APISIX has that this gateway does not manage yet: answered as unsupported types
    // would be, but with a message that says so.
    private static readonly HashSet<string> KnownElsewhere = new(StringComparer.Ordinal)
    {
        "credentials", "ssls", "protos", "stream_routes", "plugin_metadata",
        "consumer_groups", "secrets",
    };

    public async Task InvokeAsync(HttpContext http)
    {
        var response = http.Response;
        WriteCommonHeaders(response);

        if (marker.IsOn(http.Request.Headers))
        {
            // A copy carries its client's headers, the admin key among them, and comes from this
            // node's own address, which allow_admin trusts: it must never act on the Admin API.
            await AdminJson.ErrorAsync(http, StatusCodes.Status403Forbidden, _mirrorCopyRefused).ConfigureAwait(false);
            return;
        }

        if (!authenticator.IsAllowedClient(http.Connection.RemoteIpAddress))
        {
            // APISIX answers with nginx's HTML page here; every answer of this API is JSON instead,
            // so clients can parse it like any other error.
            await AdminJson.ErrorAsync(http, StatusCodes.Status403Forbidden, "403 Forbidden: client address is not in deployment.admin.allow_admin").ConfigureAwait(false);
            return;
        }

        var path = http.Request.Path.Value ?? "";
        if (DashboardPage.Owns(path))
        {
            // The page holds no data, so it needs no key; its calls for data go through the check below.
            await dashboardPage.ServeAsync(http).ConfigureAwait(false);
            return;
        }

        if (!path.StartsWith(Prefix, StringComparison.Ordinal) || (path.Length > Prefix.Length && path[Prefix.Length] != '/'))
        {
            response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var method = http.Request.Method;
        if (HttpMethods.IsOptions(method))
        {
            response.Headers.AccessControlAllowMethods = "POST, GET, PUT, OPTIONS, DELETE, PATCH";
            response.Headers.AccessControlAllowHeaders = http.Request.Headers.AccessControlRequestHeaders.Count > 0
                ? http.Request.Headers.AccessControlRequestHeaders.ToString()
                : "*";
            response.StatusCode = StatusCodes.Status200OK;
            return;
        }

        var segments = path[Prefix.Length..].Split('/', StringSplitOptions.None).Skip(1).ToArray();
        if (HttpMethods.IsHead(method) && (segments.Length == 0 || segments is [""]))
        {
            response.StatusCode = StatusCodes.Status200OK;
            return;
        }

        if (authenticator.Check(http.Request) is { } description)
        {
            await AdminJson.WriteRawAsync(http, StatusCodes.Status401Unauthorized,
                $$"""{"error_msg":"failed to check token","description":"{{description}}"}""").ConfigureAwait(false);
            return;
        }

        try
        {
            await DispatchAsync(http, method, segments).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex) when (!http.Response.HasStarted)
        {
            // The data plane keeps serving its last good configuration; only the Admin API
            // cannot read or change it until the store is back.
            http.Response.Clear();
            WriteCommonHeaders(http.Response);
            await AdminJson.ErrorAsync(http, StatusCodes.Status503ServiceUnavailable, $"the configuration store is unavailable: {ex.Message}").ConfigureAwait(false);
        }
    }

    /// <summary>What APISIX puts on every Admin API answer: the API version and CORS headers.</summary>
    private static void WriteCommonHeaders(HttpResponse response)
    {
        response.Headers["X-API-VERSION"] = "v3";
        response.Headers.AccessControlAllowOrigin = "*";
        response.Headers.AccessControlAllowCredentials = "true";
        response.Headers.AccessControlExposeHeaders = "*";
        response.Headers.AccessControlMaxAge = "3600";
    }

    private Task DispatchAsync(HttpContext http, string method, string[] segments)
    {
        if (segments.Length == 0 || segments[0].Length == 0)
        {
            return AdminJson.ErrorAsync(http, 404, "not found");
        }

        var resource = segments[0];
        if (resource == "plugins")
        {
            return segments switch
            {
                ["plugins", "list"] when HttpMethods.IsGet(method) => plugins.ListAsync(http),
                ["plugins", var name] when HttpMethods.IsGet(method) && name.Length > 0 => plugins.SchemaAsync(http, name),
                _ => AdminJson.ErrorAsync(http, 404, "not found"),
            };
        }

        if (resource == "schema")
        {
            return segments switch
            {
                ["schema", "plugins", var name] when HttpMethods.IsGet(method) => plugins.SchemaAsync(http, name),
                ["schema", var name] when HttpMethods.IsGet(method) => plugins.CoreSchemaAsync(http, name),
                _ => AdminJson.ErrorAsync(http, 404, "not found"),
            };
        }

        if (resource == "mirror")
        {
            return segments is ["mirror", MirrorDashboardApi.Segment]
                ? dashboard.HandleAsync(http, method)
                : mismatches.HandleAsync(http, method, segments);
        }

        if (resource == "consumers")
        {
            return consumers.HandleAsync(http, method, segments);
        }

        if (!ResourceKinds.TryParsePlural(resource, out var kind))
        {
            return AdminJson.ErrorAsync(http, 404, KnownElsewhere.Contains(resource)
                ? $"Unsupported resource type: {resource} (not implemented by this gateway yet)"
                : $"Unsupported resource type: {resource}");
        }

        var id = segments.Length > 1 && segments[1].Length > 0 ? Uri.UnescapeDataString(segments[1]) : null;
        var subPath = segments.Length > 2 ? segments[2..].Where(s => s.Length > 0).Select(Uri.UnescapeDataString).ToArray() : [];
        if (HttpMethods.IsGet(method))
        {
            return id is null ? resources.ListAsync(http, kind) : resources.GetAsync(http, kind, id);
        }

        if (HttpMethods.IsPut(method))
        {
            return resources.PutAsync(http, kind, id);
        }

        if (HttpMethods.IsPost(method))
        {
            return resources.PostAsync(http, kind, id);
        }

        if (HttpMethods.IsPatch(method))
        {
            return id is null
                ? AdminJson.ErrorAsync(http, 400, $"missing {kind.Singular()} id")
                : resources.PatchAsync(http, kind, id, subPath);
        }

        if (HttpMethods.IsDelete(method))
        {
            return id is null
                ? AdminJson.ErrorAsync(http, 400, $"missing {kind.Singular()} id")
                : resources.DeleteAsync(http, kind, id);
        }

        return AdminJson.ErrorAsync(http, 404, "not found");
    }
}
