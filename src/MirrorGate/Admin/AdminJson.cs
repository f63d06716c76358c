using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MirrorGate.Admin;

/// <summary>
/// Writes Admin API answers as APISIX does: <c>application/json</c>, <c>X-API-VERSION: v3</c>,
/// quotes escaped as <c>\"</c> and slashes left alone (cjson's style, not <c>\u0022</c>).
/// </summary>
internal static class AdminJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Task WriteAsync(HttpContext http, int status, JsonNode body)
        => WriteRawAsync(http, status, body.ToJsonString(Options));

    public static Task WriteRawAsync(HttpContext http, int status, string json)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(json);
    }

    public static Task ErrorAsync(HttpContext http, int status, string message)
        => WriteAsync(http, status, new JsonObject { ["error_msg"] = message });

    /// <summary>APISIX's not-found body uses <c>message</c>, not <c>error_msg</c>.</summary>
    public static Task KeyNotFoundAsync(HttpContext http)
        => WriteAsync(http, StatusCodes.Status404NotFound, new JsonObject { ["message"] = "Key not found" });

    /// <summary>Writes <c>{"key":..., "value": raw, "createdIndex":.., "modifiedIndex":..}</c> without re-parsing the stored value.</summary>
    public static void WriteItem(Utf8JsonWriter writer, string key, string rawValue, long? createdIndex, long? modifiedIndex)
    {
        writer.WriteStartObject();
        writer.WriteString("key", key);
        writer.WritePropertyName("value");
        writer.WriteRawValue(rawValue, skipInputValidation: true);
        if (createdIndex is { } created)
        {
            writer.WriteNumber("createdIndex", created);
        }

        if (modifiedIndex is { } modified)
        {
            writer.WriteNumber("modifiedIndex", modified);
        }

        writer.WriteEndObject();
    }

    public static async Task WriteWithAsync(HttpContext http, int status, Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            write(writer);
        }

        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = buffer.Length;
        await http.Response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length)).ConfigureAwait(false);
    }
}
