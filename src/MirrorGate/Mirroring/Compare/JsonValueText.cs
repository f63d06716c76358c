using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// Writes a JSON value as compact JSON for a difference record, at most
/// <see cref="MaxChars"/> characters (longer text is cut and ends with <c>...</c>), with every
/// location a redact path names written as <c>"[redacted]"</c>.
/// </summary>
internal static class JsonValueText
{
    public const int MaxChars = 256;
    public const string Redacted = "[redacted]";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    /// <param name="steps">The path of <paramref name="value"/>; extended and restored while writing.</param>
    /// <param name="redacted">True when <paramref name="value"/> itself or an ancestor is redacted.</param>
    public static string Write(JsonElement value, List<JsonPathStep> steps, JsonPathSet redact, bool redacted)
    {
        if (redacted)
        {
            return "\"" + Redacted + "\"";
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteValue(writer, value, steps, redact);
            writer.Flush();
        }

        return Cut(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    /// <summary>Cuts text longer than <see cref="MaxChars"/>, never between the halves of a surrogate pair.</summary>
    public static string Cut(string text)
    {
        if (text.Length <= MaxChars)
        {
            return text;
        }

        var length = MaxChars - 3;
        if (char.IsHighSurrogate(text[length - 1]))
        {
            length--;
        }

        return string.Concat(text.AsSpan(0, length), "...");
    }

    private static void WriteValue(Utf8JsonWriter writer, JsonElement value, List<JsonPathStep> steps, JsonPathSet redact)
    {
        // Four bytes a character at most: enough written to fill the record, stop walking.
        if (writer.BytesPending + writer.BytesCommitted > MaxChars * 4)
        {
            return;
        }

        if (steps.Count > 0 && !redact.IsEmpty && redact.Matches(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(steps)))
        {
            writer.WriteStringValue(Redacted);
            return;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in value.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    steps.Add(JsonPathStep.Member(property.Name));
                    WriteValue(writer, property.Value, steps, redact);
                    steps.RemoveAt(steps.Count - 1);
                    if (writer.BytesPending + writer.BytesCommitted > MaxChars * 4)
                    {
                        return;
                    }
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    steps.Add(JsonPathStep.Element(index++));
                    WriteValue(writer, item, steps, redact);
                    steps.RemoveAt(steps.Count - 1);
                    if (writer.BytesPending + writer.BytesCommitted > MaxChars * 4)
                    {
                        return;
                    }
                }

                writer.WriteEndArray();
                break;
            default:
                value.WriteTo(writer);
                break;
        }
    }
}
