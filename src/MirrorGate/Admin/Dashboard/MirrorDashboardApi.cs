using Microsoft.AspNetCore.Http;

namespace MirrorGate.Admin.Dashboard;

/// <summary>
/// <c>GET /apisix/admin/mirror/dashboard</c>: the dashboard's data in one answer (node, routes
/// with upstreams and node health, each mirror target's settings, state and cumulative counters),
/// behind the same key checks as every Admin API call; a viewer key may read it.
/// </summary>
internal sealed class MirrorDashboardApi(DashboardSnapshotBuilder builder)
{
    public const string Segment = "dashboard";

    public Task HandleAsync(HttpContext http, string method)
    {
        if (!HttpMethods.IsGet(method))
        {
            return AdminJson.ErrorAsync(http, StatusCodes.Status405MethodNotAllowed, $"method {method} is not allowed on the mirror dashboard: it is read-only (GET)");
        }

        var snapshot = builder.Build();

        // Every answer is a new reading: a cached one would show rates of zero.
        http.Response.Headers.CacheControl = "no-store";
        return AdminJson.WriteWithAsync(http, StatusCodes.Status200OK, writer => DashboardJson.Write(writer, snapshot));
    }
}
