using System.Text.Json;
using Microsoft.AspNetCore.Http;
using MirrorGate.Mirroring.Compare;

namespace MirrorGate.Admin;

/// <summary>
/// <c>/apisix/admin/mirror/mismatches[/{route_id}][?target=name]</c>: the shadow comparisons' counts
/// and last mismatches per route and target (GET, admin or viewer key), and clearing them
/// (DELETE, admin key). A route with nothing compared answers an empty list, not 404: the
/// node keeps results, not routes, and a route may simply have had no traffic yet.
/// </summary>
internal sealed class MirrorMismatchApi(CompareResults results)
{
    public Task HandleAsync(HttpContext http, string method, string[] segments)
    {
        // segments[0] is "mirror".
        if (segments.Length < 2 || segments[1] != "mismatches" || segments.Length > 3 || (segments.Length == 3 && segments[2].Length == 0))
        {
            return AdminJson.ErrorAsync(http, StatusCodes.Status404NotFound, "not found");
        }

        var routeId = segments.Length == 3 ? Uri.UnescapeDataString(segments[2]) : null;
        string? target = http.Request.Query["target"];
        if (string.IsNullOrEmpty(target))
        {
            target = null;
        }

        if (HttpMethods.IsGet(method))
        {
            var views = results.Views(routeId, target);
            return AdminJson.WriteWithAsync(http, StatusCodes.Status200OK, writer => WriteList(writer, views));
        }

        if (HttpMethods.IsDelete(method))
        {
            var cleared = results.Clear(routeId, target);
            return AdminJson.WriteWithAsync(http, StatusCodes.Status200OK, writer =>
            {
                writer.WriteStartObject();
                writer.WriteNumber("deleted", cleared);
                writer.WriteEndObject();
            });
        }

        return AdminJson.ErrorAsync(http, StatusCodes.Status405MethodNotAllowed, $"method {method} is not allowed on mirror mismatches: GET reads them, DELETE clears them");
    }

    private static void WriteList(Utf8JsonWriter writer, IReadOnlyList<MismatchRingView> views)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("list");
        foreach (var view in views)
        {
            writer.WriteStartObject();
            writer.WriteString("route_id", view.RouteId);
            writer.WriteString("target", view.Target);
            writer.WriteStartObject("counts");
            writer.WriteNumber("match", view.Match);
            writer.WriteNumber("mismatch", view.Mismatch);
            writer.WriteNumber("noise", view.Noise);
            writer.WriteNumber("skipped", view.Skipped);
            writer.WriteEndObject();
            writer.WritePropertyName("mismatches");
            JsonSerializer.Serialize(writer, view.Mismatches, MismatchRecord.JsonOptions);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteNumber("total", views.Count);
        writer.WriteEndObject();
    }
}
