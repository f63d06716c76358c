using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MirrorGate.Configuration;

/// <summary>
/// Turns a YAML document into a JSON tree, typing plain scalars (ints, floats, booleans, null)
/// and keeping every quoted or block scalar a string, so <c>port: 9080</c> is a number and
/// <c>key: "123"</c> stays the text the user wrote.
/// </summary>
/// <remarks>
/// Plugins receive <c>plugin_attr</c> in this form, the same shape as a route's plugin config.
/// Values JSON cannot hold (<c>.inf</c>, <c>.nan</c>) stay strings.
/// Booleans and nulls are read as APISIX's reader (lyaml, YAML 1.1) reads them, so an APISIX
/// <c>config.yaml</c> loads the same here: <c>yes</c>/<c>no</c>/<c>on</c>/<c>off</c> are booleans
/// like <c>true</c>/<c>false</c>, each in lower, Capitalized and UPPER case; <c>y</c>/<c>n</c> stay
/// strings, as in lyaml.
/// </remarks>
internal static partial class YamlToJson
{
    // Deeper than any config; stops pathological input (alias bombs) from recursing without end.
    private const int MaxDepth = 64;

    private const string StrTag = "tag:yaml.org,2002:str";

    /// <summary>Parses <paramref name="yaml"/>; an empty document is an empty mapping.</summary>
    /// <exception cref="ConfigException">Not valid YAML, or the top level is not a mapping.</exception>
    public static JsonObject ParseDocument(string yaml, string sourceName)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            var (line, column, problem) = Locate(yaml, ex);
            throw new ConfigException(string.Create(CultureInfo.InvariantCulture,
                $"{sourceName}: invalid YAML at line {line}, column {column}: {problem}"), ex);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's scanner fails this way, without a position, on an unclosed flow list
            // followed by more lines; find the bracket ourselves.
            if (UnclosedFlow(yaml) is { } open)
            {
                throw new ConfigException(string.Create(CultureInfo.InvariantCulture,
                    $"{sourceName}: invalid YAML at line {open.Line}, column {open.Column}: '{open.Bracket}' is never closed"), ex);
            }

            throw new ConfigException($"{sourceName}: invalid YAML (check brackets and quotes): {ex.Message}", ex);
        }

        if (stream.Documents.Count == 0)
        {
            return [];
        }

        if (stream.Documents.Count > 1)
        {
            throw new ConfigException($"{sourceName}: expected one YAML document, found {stream.Documents.Count}");
        }

        return Convert(stream.Documents[0].RootNode, 0, sourceName) switch
        {
            // Re-parsed so every value is backed by JSON text, as a route's plugin config is:
            // then GetValue<int>(), <long> and <double> all work on a number, whatever its size.
            JsonObject root => JsonNode.Parse(root.ToJsonString())!.AsObject(),
            null => [],
            _ => throw new ConfigException($"{sourceName}: the top level must be a mapping of keys (apisix, deployment, plugins, plugin_attr)"),
        };
    }

    /// <summary>
    /// Where the problem is. YamlDotNet's own mark is right for most errors (a duplicate key, an
    /// unclosed quote: where it starts), but it puts a tab used as indentation at the start of the
    /// enclosing mapping, and an unclosed bracket at the end of the file.
    /// </summary>
    private static (long Line, long Column, string Problem) Locate(string yaml, YamlException ex)
    {
        if (ex.Message.Contains("tab", StringComparison.OrdinalIgnoreCase) && TabIndentation(yaml) is { } tab)
        {
            return (tab.Line, tab.Column, "a tab used as indentation (YAML indents with spaces only)");
        }

        if ((ex.Message.Contains("flow sequence", StringComparison.Ordinal) || ex.Message.Contains("flow mapping", StringComparison.Ordinal))
            && UnclosedFlow(yaml) is { } open)
        {
            return (open.Line, open.Column, $"'{open.Bracket}' is never closed");
        }

        return (ex.Start.Line, ex.Start.Column, ex.Message);
    }

    /// <summary>The first tab in a line's leading whitespace (1-based line and column).</summary>
    internal static (int Line, int Column)? TabIndentation(string yaml)
    {
        var lines = yaml.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            for (var c = 0; c < line.Length && line[c] is ' ' or '\t'; c++)
            {
                if (line[c] == '\t')
                {
                    return (i + 1, c + 1);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// The first <c>[</c> or <c>{</c> that opens a flow collection and is never closed (1-based),
    /// skipping quoted text and comments. A bracket inside a plain value (<c>a[1]</c>) does not
    /// open one: only at the start of a value, or inside another flow collection.
    /// </summary>
    internal static (int Line, int Column, char Bracket)? UnclosedFlow(string yaml)
    {
        var open = new Stack<(int Line, int Column, char Bracket)>();
        var lines = yaml.Split('\n');
        char? quote = null;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var previous = ' ';
            for (var c = 0; c < line.Length; c++)
            {
                var ch = line[c];
                if (quote is { } q)
                {
                    if (ch == '\\' && q == '"')
                    {
                        c++;
                    }
                    else if (ch == q)
                    {
                        if (q == '\'' && c + 1 < line.Length && line[c + 1] == '\'')
                        {
                            c++;
                        }
                        else
                        {
                            quote = null;
                        }
                    }

                    previous = ch;
                    continue;
                }

                var valueStart = previous is ' ' or '\t' or '[' or '{' or ',' || (c == 0);
                var lastNonSpace = LastNonSpace(line, c);
                var opensValue = lastNonSpace is null or ':' or '-' or '[' or '{' or ',';
                switch (ch)
                {
                    case '#' when valueStart:
                        c = line.Length;
                        break;
                    case '"' or '\'' when opensValue:
                        quote = ch;
                        break;
                    case '[' or '{' when opensValue || open.Count > 0:
                        open.Push((i + 1, c + 1, ch));
                        break;
                    case ']' or '}' when open.Count > 0:
                        open.Pop();
                        break;
                }

                previous = ch;
            }
        }

        return open.Count > 0 ? open.Reverse().First() : null;
    }

    private static char? LastNonSpace(string line, int before)
    {
        for (var i = before - 1; i >= 0; i--)
        {
            if (line[i] is not (' ' or '\t'))
            {
                return line[i];
            }
        }

        return null;
    }

    private static JsonNode? Convert(YamlNode node, int depth, string sourceName)
    {
        if (depth > MaxDepth)
        {
            throw new ConfigException(string.Create(CultureInfo.InvariantCulture,
                $"{sourceName}: nested deeper than {MaxDepth} levels at line {node.Start.Line}"));
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    var name = key is YamlScalarNode scalarKey
                        ? scalarKey.Value ?? string.Empty
                        : throw new ConfigException(string.Create(CultureInfo.InvariantCulture,
                            $"{sourceName}: a mapping key must be a plain value, at line {key.Start.Line}, column {key.Start.Column}"));
                    obj[name] = Convert(value, depth + 1, sourceName);
                }

                return obj;

            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(Convert(item, depth + 1, sourceName));
                }

                return array;

            case YamlScalarNode scalar:
                return Scalar(scalar);

            default:
                throw new ConfigException(string.Create(CultureInfo.InvariantCulture,
                    $"{sourceName}: unsupported YAML node at line {node.Start.Line}, column {node.Start.Column}"));
        }
    }

    /// <summary>Types one scalar; public for the tests that pin the schema.</summary>
    internal static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style != ScalarStyle.Plain || (!scalar.Tag.IsEmpty && scalar.Tag.Value == StrTag))
        {
            return JsonValue.Create(text);
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF":
                return JsonValue.Create(false);
        }

        if (DecimalInt().IsMatch(text))
        {
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            {
                return JsonValue.Create(integer);
            }

            // Too big for a long: still a number, as YAML says.
            return JsonValue.Create(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        if (text.Length > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'o'))
        {
            var (digits, radix) = (text[2..], text[1] == 'x' ? 16 : 8);
            if (TryParseRadix(digits, radix, out var value))
            {
                return JsonValue.Create(value);
            }
        }

        if (Float().IsMatch(text))
        {
            return JsonValue.Create(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        return JsonValue.Create(text);
    }

    private static bool TryParseRadix(string digits, int radix, out long value)
    {
        value = 0;
        foreach (var c in digits)
        {
            var digit = HexDigit(c);
            if (digit < 0 || digit >= radix || value > (long.MaxValue - digit) / radix)
            {
                return false;
            }

            value = (value * radix) + digit;
        }

        return true;
    }

    private static int HexDigit(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    [GeneratedRegex(@"^[-+]?[0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex DecimalInt();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\z", RegexOptions.CultureInvariant)]
    private static partial Regex Float();
}
