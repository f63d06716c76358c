using System.Text;

namespace MirrorGate.Plugins.ProxyRewrite;

/// <summary>
/// APISIX's two escapes for a rewritten upstream URI: <c>uri_safe_encode</c> (nginx's
/// <c>ngx_escape_uri</c> for a URI: space, <c>#</c>, <c>%</c>, <c>?</c>, controls and bytes ≥ 0x80
/// become <c>%XX</c> of their UTF-8 bytes) for the path, and <c>escape_uri_control_chars</c>
/// (controls only) for a query that must keep its delimiters. Either way no CR or LF can reach
/// the upstream request line.
/// </summary>
internal static class UpstreamUriEscaping
{
    public static string SafeEncode(string uri) => Encode(uri, static b => b <= 0x20 || b is (byte)'#' or (byte)'%' or (byte)'?' || b >= 0x7F);

    public static string EscapeControls(string uri) => Encode(uri, static b => b < 0x20 || b == 0x7F);

    private static string Encode(string text, Func<byte, bool> escape)
    {
        var needs = false;
        foreach (var c in text)
        {
            if (c >= 0x80 || escape((byte)c))
            {
                needs = true;
                break;
            }
        }

        if (!needs)
        {
            return text;
        }

        var result = new StringBuilder(text.Length + 16);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (escape(b))
            {
                result.Append('%').Append(((int)b).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                result.Append((char)b);
            }
        }

        return result.ToString();
    }
}
