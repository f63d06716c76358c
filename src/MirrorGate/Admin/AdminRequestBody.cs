using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using MirrorGate.Resources;
using MirrorGate.Resources.Validation;

namespace MirrorGate.Admin;

/// <summary>
/// Reads an Admin API body with APISIX's rules: at most 1.5 MiB, empty means "no body", and a
/// parse failure is reported with the parser's message and the raw body. Stricter than APISIX:
/// bytes that are not UTF-8, a key given twice and a lone surrogate escape are parse failures
/// too (see <see cref="StrictJson"/>), so what is stored is exactly what was sent.
/// </summary>
internal static class AdminRequestBody
{
    public const int MaxSize = 1572864;

    // Throws on bytes that are not UTF-8 instead of storing U+FFFD in their place.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public readonly record struct Result(bool IsEmpty, JsonNode? Value, string Raw, string? Error, JsonObject? ErrorBody);

    /// <summary>Reads a PUT/POST body that must be a JSON object, with APISIX's texts; writes the error and returns null otherwise.</summary>
    public static async Task<JsonObject?> ReadObjectAsync(HttpContext http)
    {
        var body = await ReadAsync(http.Request, http.RequestAborted).ConfigureAwait(false);
        if (body.ErrorBody is not null)
        {
            await AdminJson.WriteAsync(http, 400, body.ErrorBody).ConfigureAwait(false);
            return null;
        }

        if (body.IsEmpty)
        {
            await AdminJson.ErrorAsync(http, 400, "missing configurations").ConfigureAwait(false);
            return null;
        }

        if (body.Value is not JsonObject value)
        {
            await AdminJson.ErrorAsync(http, 400, "invalid configuration: wrong type: expected object, got " + LuaText.TypeName(body.Value)).ConfigureAwait(false);
            return null;
        }

        return value;
    }

    public static async Task<Result> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxSize)
        {
            return TooLarge(request.ContentLength.Value);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        long total = 0;
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
            if (total <= MaxSize)
            {
                buffer.Write(chunk, 0, read);
            }
        }

        if (total > MaxSize)
        {
            return TooLarge(total);
        }

        string raw;
        try
        {
            raw = StrictUtf8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException ex)
        {
            // No req_body: the bytes cannot be echoed as JSON text.
            var message = $"invalid request body: not UTF-8 (byte 0x{ex.BytesUnknown?.FirstOrDefault():X2} at offset {ex.Index})";
            return new Result(false, null, "", message, new JsonObject { ["error_msg"] = message });
        }

        if (string.IsNullOrWhiteSpace(raw))
        {
            return new Result(true, null, raw, null, null);
        }

        try
        {
            var node = StrictJson.Parse(raw);
            return new Result(false, node, raw, null, null);
        }
        catch (JsonException ex)
        {
            var message = $"invalid request body: {ex.Message}";
            return new Result(false, null, raw, message, new JsonObject { ["error_msg"] = message, ["req_body"] = raw });
        }
    }

    private static Result TooLarge(long size)
    {
        var message = $"invalid request body: request size {size} is greater than the maximum size {MaxSize} allowed";
        return new Result(false, null, "", message, new JsonObject { ["error_msg"] = message });
    }
}
