using System.Globalization;
using System.Text;

namespace MirrorGate.Observability;

/// <summary>
/// The text exposition format 0.0.4 rules in one place: metric and label names, escaping and
/// number formatting. Invariant culture everywhere, so a node's locale never changes the output.
/// </summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>
    /// <c>mirrorgate.mirror.requests</c> becomes <c>mirrorgate_mirror_requests</c>. Any character
    /// Prometheus does not allow in a metric name (<c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>) becomes <c>_</c>.
    /// </summary>
    public static string MetricName(string instrumentName) => Sanitize(instrumentName, allowColon: true);

    /// <summary>Label names allow no colon: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>.</summary>
    public static string LabelName(string tagKey) => Sanitize(tagKey, allowColon: false);

    /// <summary>Counters end in <c>_total</c>, added once (an instrument already named <c>x.total</c> is not doubled).</summary>
    public static string CounterName(string metricName) =>
        metricName.EndsWith("_total", StringComparison.Ordinal) ? metricName : metricName + "_total";

    /// <summary><c>a="x",b="y"</c> from tags already sorted by key.</summary>
    public static string FormatLabels(ReadOnlySpan<KeyValuePair<string, object?>> sortedTags)
    {
        if (sortedTags.IsEmpty)
        {
            return string.Empty;
        }

        var builder = new StringBuilder();
        foreach (var tag in sortedTags)
        {
            if (builder.Length > 0)
            {
                builder.Append(',');
            }

            builder.Append(LabelName(tag.Key)).Append("=\"");
            AppendEscapedLabelValue(builder, FormatTagValue(tag.Value));
            builder.Append('"');
        }

        return builder.ToString();
    }

    /// <summary>Tag values may be any object; numbers and booleans format invariantly, null is empty.</summary>
    public static string FormatTagValue(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "true" : "false",
        double d => FormatDouble(d),
        float f => FormatDouble(f),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    /// <summary>Label values escape backslash, double quote and line feed.</summary>
    public static void AppendEscapedLabelValue(StringBuilder builder, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': builder.Append(@"\\"); break;
                case '"': builder.Append("\\\""); break;
                case '\n': builder.Append(@"\n"); break;
                default: builder.Append(c); break;
            }
        }
    }

    /// <summary>HELP text escapes only backslash and line feed (quotes are literal there).</summary>
    public static string EscapeHelp(string help) =>
        help.Replace("\\", @"\\", StringComparison.Ordinal).Replace("\n", @"\n", StringComparison.Ordinal);

    /// <summary>Shortest round-trip form; Prometheus spells the non-finite values <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public static string FormatDouble(double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }

        if (double.IsNaN(value))
        {
            return "NaN";
        }

        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    public static string FormatLong(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Sanitize(string name, bool allowColon)
    {
        if (name.Length == 0)
        {
            return "_";
        }

        var chars = name.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            var ok = char.IsAsciiLetter(c) || c == '_' || (allowColon && c == ':') || (i > 0 && char.IsAsciiDigit(c));
            if (!ok)
            {
                chars[i] = '_';
            }
        }

        // A leading digit is replaced rather than prefixed, so names keep their length; it does not
        // happen with our instrument names, which all start with "mirrorgate".
        return new string(chars);
    }
}
