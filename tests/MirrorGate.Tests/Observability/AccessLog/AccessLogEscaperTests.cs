using System.Text;
using MirrorGate.Configuration;
using MirrorGate.Observability.AccessLog;

namespace MirrorGate.Tests.Observability.AccessLog;

public sealed class AccessLogEscaperTests
{
    [Theory]
    [InlineData("plain text /a?b=c&d", "plain text /a?b=c&d")]
    [InlineData("a\"b", "a\\x22b")]
    [InlineData("a\\b", "a\\x5Cb")]
    [InlineData("line\nfeed\ttab\r", "line\\x0Afeed\\x09tab\\x0D")]
    [InlineData("\u0000\u001f", "\\x00\\x1F")]
    [InlineData("del\u007f", "del\\x7F")]
    [InlineData("café", "caf\\xC3\\xA9")]
    [InlineData("€", "\\xE2\\x82\\xAC")]
    [InlineData("😀", "\\xF0\\x9F\\x98\\x80")]
    [InlineData("~ {|}", "~ {|}")]
    public void Write_Default_EscapesAsNginx(string value, string expected)
    {
        Assert.Equal(expected, Escape(value, AccessLogEscape.Default));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\"b", "a\\\"b")]
    [InlineData("a\\b", "a\\\\b")]
    [InlineData("\n\r\t\b\f", "\\n\\r\\t\\b\\f")]
    [InlineData("\u0001\u001f", "\\u0001\\u001f")]
    [InlineData("café €", "café €")]
    [InlineData("del\u007f", "del\u007f")]
    public void Write_Json_EscapesAsNginxJson(string value, string expected)
    {
        Assert.Equal(expected, Escape(value, AccessLogEscape.Json));
    }

    [Fact]
    public void Write_LoneSurrogate_WritesReplacementCharacter()
    {
        Assert.Equal("\\xEF\\xBF\\xBDx", Escape("\ud800x", AccessLogEscape.Default));
    }

    private static string Escape(string value, AccessLogEscape escape)
    {
        var line = new AccessLogLineBuilder(4, escape);
        try
        {
            line.AppendValue(value);
            return Encoding.UTF8.GetString(line.Written);
        }
        finally
        {
            line.Dispose();
        }
    }
}
