using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using MirrorGate.Routing;

namespace MirrorGate.Plugins.ProxyRewrite;

/// <summary>
/// A proxy-rewrite value with APISIX variables, compiled once: <c>$name</c>, <c>${name}</c> and
/// <c>${name ?? default}</c> read a request variable (an unknown or absent one reads as empty, or
/// as the default), <c>\$</c> keeps a literal dollar, and in header values <c>$1</c>/<c>${1}</c> read
/// a capture of the regex_uri that matched (APISIX's <c>resolve_var_with_captures</c> then
/// <c>resolve_var</c>). A value without <c>$</c> renders to itself without allocating.
/// </summary>
internal sealed class ValueTemplate
{
    private readonly string _text;
    private readonly Part[]? _parts;

    private ValueTemplate(string text, Part[]? parts)
    {
        _text = text;
        _parts = parts;
    }

    private sealed record Part(string? Literal, VarsVariable? Variable, string? Default, int Capture);

    /// <param name="captures">Whether <c>$1</c> means a regex_uri capture (header values) or a variable named "1" (the uri, where it reads empty).</param>
    public static ValueTemplate Compile(string text, bool captures)
    {
        if (!text.Contains('$'))
        {
            return new ValueTemplate(text, null);
        }

        var parts = new List<Part>();
        var literal = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c != '$' || (i > 0 && text[i - 1] == '\\') || i + 1 == text.Length)
            {
                literal.Append(c);
                continue;
            }

            var end = ReadReference(text, i + 1, out var name, out var fallback);
            if (end < 0)
            {
                literal.Append(c);
                continue;
            }

            if (literal.Length > 0)
            {
                parts.Add(new Part(literal.ToString(), null, null, -1));
                literal.Clear();
            }

            parts.Add(captures && int.TryParse(name, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var group)
                ? new Part(null, null, null, group)
                : new Part(null, VarsVariable.Parse(name), fallback, -1));
            i = end - 1;
        }

        if (literal.Length > 0)
        {
            parts.Add(new Part(literal.ToString(), null, null, -1));
        }

        return new ValueTemplate(text, [.. parts]);
    }

    /// <summary>Reads <c>{ name [?? default] }</c> or <c>[\w.]+</c> at <paramref name="start"/>; returns the index after it, or -1.</summary>
    private static int ReadReference(string text, int start, out string name, out string? fallback)
    {
        fallback = null;
        if (text[start] == '{')
        {
            var close = text.IndexOf('}', start + 1);
            var inner = close < 0 ? "" : text[(start + 1)..close].Trim();
            if (inner.Length == 0)
            {
                name = "";
                return -1;
            }

            var split = inner.IndexOf("??", StringComparison.Ordinal);
            if (split >= 0)
            {
                fallback = inner[(split + 2)..].Trim();
                inner = inner[..split].Trim();
            }

            name = inner;
            return close + 1;
        }

        var end = start;
        while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] is '_' or '.'))
        {
            end++;
        }

        name = text[start..end];
        return end > start ? end : -1;
    }

    /// <param name="captures">The regex_uri match, if one matched.</param>
    /// <param name="escapeQuestionMark">For the uri: a <c>?</c> in a variable's value is sent as <c>%3F</c>, so it cannot start a query.</param>
    public string Render(HttpContext http, Match? captures = null, bool escapeQuestionMark = false)
    {
        if (_parts is null)
        {
            return _text;
        }

        var text = new StringBuilder();
        foreach (var part in _parts)
        {
            if (part.Literal is not null)
            {
                text.Append(part.Literal);
                continue;
            }

            var value = part.Capture >= 0
                ? captures is not null && part.Capture < captures.Groups.Count && captures.Groups[part.Capture].Success ? captures.Groups[part.Capture].Value : ""
                : part.Variable!.GetValue(http) ?? part.Default ?? "";
            text.Append(escapeQuestionMark ? value.Replace("?", "%3F", StringComparison.Ordinal) : value);
        }

        return text.ToString();
    }
}
