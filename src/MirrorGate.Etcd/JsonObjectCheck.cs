using System.Text.Json;

namespace MirrorGate.Etcd;

/// <summary>Checks that a value read from etcd is one well-formed JSON object, without building a DOM.</summary>
internal static class JsonObjectCheck
{
    /// <summary>True when <paramref name="utf8"/> is exactly one JSON object; otherwise <paramref name="problem"/> says why.</summary>
    public static bool IsObject(ReadOnlySpan<byte> utf8, out string? problem)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read())
            {
                problem = "the value is empty";
                return false;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                problem = $"the value is not a JSON object (it starts with a {reader.TokenType})";
                return false;
            }

            // Walks to the end so trailing garbage or a truncated value is caught here, not in the snapshot builder.
            reader.Skip();
            if (reader.Read())
            {
                problem = "the value has data after its JSON object";
                return false;
            }

            problem = null;
            return true;
        }
        catch (JsonException ex)
        {
            problem = $"the value is not valid JSON: {ex.Message}";
            return false;
        }
    }
}
