using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MirrorGate.Admin;

/// <summary>
/// Reads an Admin API body with APISIX's rules: at most 1.5 MiB, empty means "no body", and a
/// parse failure is reported with the parser's message and the raw body.
/// </summary>
internal static class AdminRequestBody
{
    public const int MaxSize = 1572864;

    public readonly record struct Result(bool IsEmpty, JsonNode? Value, string Raw, string? Error, JsonObject? ErrorBody);

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

        var raw = Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        if (string.IsNullOrWhiteSpace(raw))
        {
            return new Result(true, null, raw, null, null);
        }

        try
        {
            var node = JsonNode.Parse(raw, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
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
