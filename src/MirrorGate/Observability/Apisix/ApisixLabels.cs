using System.Text;

namespace MirrorGate.Observability.Apisix;

/// <summary>
/// Label text in APISIX's order (<c>code="200",route="1",...</c>), built once per new series,
/// never per request. Values are escaped as the text format requires.
/// </summary>
internal static class ApisixLabels
{
    public static string Format(ReadOnlySpan<string> names, ReadOnlySpan<string> values)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < names.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(',');
            }

            builder.Append(names[i]).Append("=\"");
            PrometheusText.AppendEscapedLabelValue(builder, values[i]);
            builder.Append('"');
        }

        return builder.ToString();
    }

    private static readonly string[] StatusTexts = new string[1000];

    /// <summary>The status code as label text, cached so a request formats nothing.</summary>
    public static string Status(int status)
    {
        if ((uint)status >= (uint)StatusTexts.Length)
        {
            return PrometheusText.FormatLong(status);
        }

        return StatusTexts[status] ??= PrometheusText.FormatLong(status);
    }
}
