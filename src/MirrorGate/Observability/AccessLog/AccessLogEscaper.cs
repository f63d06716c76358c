using System.Buffers;
using System.Text;
using MirrorGate.Configuration;

namespace MirrorGate.Observability.AccessLog;

/// <summary>
/// Writes a variable's value into a line as nginx's <c>log_format escape=</c> does.
/// <c>default</c>: <c>"</c>, <c>\</c> and every byte below 32 or above 126 (so every byte of a
/// non-ASCII character) as <c>\xHH</c>. <c>json</c>: <c>"</c> and <c>\</c> backslashed, control
/// characters as <c>\n</c>, <c>\r</c>, <c>\t</c>, <c>\b</c>, <c>\f</c> or <c>\u00HH</c>, the
/// rest as UTF-8. Values that need nothing (nearly all) are copied by one vectorized search and
/// one narrowing copy.
/// </summary>
internal static class AccessLogEscaper
{
    // Printable ASCII minus the two characters nginx escapes.
    private static readonly SearchValues<char> DefaultPlain = SearchValues.Create(
        " !#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    private static readonly SearchValues<char> JsonSpecial = SearchValues.Create(
        "\"\\\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f"
        + "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f");

    private static ReadOnlySpan<byte> Hex => "0123456789ABCDEF"u8;

    private static ReadOnlySpan<byte> JsonHex => "0123456789abcdef"u8;

    public static void Write(ref AccessLogLineBuilder line, scoped ReadOnlySpan<char> value, AccessLogEscape escape)
    {
        if (escape == AccessLogEscape.Json)
        {
            WriteJson(ref line, value);
        }
        else
        {
            WriteDefault(ref line, value);
        }
    }

    private static void WriteDefault(ref AccessLogLineBuilder line, scoped ReadOnlySpan<char> value)
    {
        Span<byte> utf8 = stackalloc byte[4];
        while (!value.IsEmpty)
        {
            var plain = value.IndexOfAnyExcept(DefaultPlain);
            if (plain < 0)
            {
                line.AppendAscii(value);
                return;
            }

            line.AppendAscii(value[..plain]);
            value = value[plain..];

            // One character (or surrogate pair) as its UTF-8 bytes, each \xHH.
            int consumed, written;
            if (Rune.DecodeFromUtf16(value, out var rune, out consumed) == OperationStatus.Done)
            {
                written = rune.EncodeToUtf8(utf8);
            }
            else
            {
                written = Rune.ReplacementChar.EncodeToUtf8(utf8);
                consumed = 1;
            }

            var dest = line.Reserve(written * 4);
            for (var i = 0; i < written; i++)
            {
                var b = utf8[i];
                dest[i * 4] = (byte)'\\';
                dest[(i * 4) + 1] = (byte)'x';
                dest[(i * 4) + 2] = Hex[b >> 4];
                dest[(i * 4) + 3] = Hex[b & 0xF];
            }

            line.Advance(written * 4);
            value = value[consumed..];
        }
    }

    private static void WriteJson(ref AccessLogLineBuilder line, scoped ReadOnlySpan<char> value)
    {
        while (!value.IsEmpty)
        {
            var special = value.IndexOfAny(JsonSpecial);
            var run = special < 0 ? value : value[..special];
            if (!run.IsEmpty)
            {
                var dest = line.Reserve(Encoding.UTF8.GetMaxByteCount(run.Length));
                line.Advance(Encoding.UTF8.GetBytes(run, dest));
            }

            if (special < 0)
            {
                return;
            }

            var c = value[special];
            var escaped = c switch
            {
                '"' => "\\\""u8,
                '\\' => "\\\\"u8,
                '\n' => "\\n"u8,
                '\r' => "\\r"u8,
                '\t' => "\\t"u8,
                '\b' => "\\b"u8,
                '\f' => "\\f"u8,
                _ => default,
            };
            if (!escaped.IsEmpty)
            {
                line.AppendAscii(escaped);
            }
            else
            {
                var dest = line.Reserve(6);
                "\\u00"u8.CopyTo(dest);
                dest[4] = JsonHex[c >> 4];
                dest[5] = JsonHex[c & 0xF];
                line.Advance(6);
            }

            value = value[(special + 1)..];
        }
    }
}
