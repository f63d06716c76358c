using System.Globalization;
using System.Text;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>A request line and header block as a raw mirror read them off the wire.</summary>
internal sealed record WireRequestHead(string Method, string Target, string Version, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>Whether the body is chunked (Transfer-Encoding ends in chunked); otherwise Content-Length frames it.</summary>
    public bool Chunked => Header("Transfer-Encoding") is { } te && te.TrimEnd().EndsWith("chunked", StringComparison.OrdinalIgnoreCase);

    /// <summary>The Content-Length, 0 when absent (a request without either header has no body).</summary>
    public long ContentLength => Header("Content-Length") is { } value ? long.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture) : 0;

    /// <summary>
    /// Checks a request line as soon as it is whole: bytes that are not one (a body's leftover
    /// read as the next request) are a fault, found here rather than 64 KiB later.
    /// </summary>
    public static bool IsRequestLine(ReadOnlySpan<byte> line)
    {
        var text = Encoding.Latin1.GetString(line);
        var parts = text.Split(' ');
        return parts.Length == 3 && parts[0].Length > 0 && parts[0].All(char.IsAsciiLetterUpper) && parts[1].Length > 0 && parts[2] == "HTTP/1.1";
    }

    /// <summary>Parses a head (without its closing empty line); throws <see cref="InvalidDataException"/> on anything a server would refuse.</summary>
    public static WireRequestHead Parse(ReadOnlySpan<byte> head)
    {
        var lines = Encoding.Latin1.GetString(head).Split("\r\n");
        if (!IsRequestLine(Encoding.Latin1.GetBytes(lines[0])))
        {
            throw new InvalidDataException($"not an HTTP/1.1 request line: {Printable(lines[0])}");
        }

        var requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                throw new InvalidDataException($"bad header line: {Printable(line)}");
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim();
            headers[name] = headers.TryGetValue(name, out var earlier) ? $"{earlier}, {value}" : value;
        }

        return new WireRequestHead(requestLine[0], requestLine[1], requestLine[2], headers);
    }

    /// <summary>A short, printable excerpt of bytes that were not what they should be.</summary>
    public static string Printable(string text)
        => new([.. text.Take(80).Select(c => c is >= ' ' and <= '~' ? c : '.')]);
}
