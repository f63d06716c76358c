using MirrorGate.Observability;

namespace MirrorGate.Tests.Observability;

public sealed class PrometheusTextTests
{
    [Theory]
    [InlineData("mirrorgate.mirror.requests", "mirrorgate_mirror_requests")]
    [InlineData("mirrorgate.proxy-mirror.sent", "mirrorgate_proxy_mirror_sent")]
    [InlineData("a:b", "a:b")]
    [InlineData("9lives", "_lives")]
    [InlineData("", "_")]
    public void MetricName_InstrumentName_IsSanitized(string input, string expected) =>
        Assert.Equal(expected, PrometheusText.MetricName(input));

    [Fact]
    public void LabelName_WithColon_ColonReplaced() => Assert.Equal("a_b", PrometheusText.LabelName("a:b"));

    [Theory]
    [InlineData("x", "x_total")]
    [InlineData("x_total", "x_total")]
    public void CounterName_Any_EndsInTotalOnce(string input, string expected) =>
        Assert.Equal(expected, PrometheusText.CounterName(input));

    [Theory]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(0.1, "0.1")]
    [InlineData(2.0, "2")]
    [InlineData(-4.5, "-4.5")]
    public void FormatDouble_Value_PrometheusSpelling(double value, string expected) =>
        Assert.Equal(expected, PrometheusText.FormatDouble(value));

    [Fact]
    public void FormatDouble_UnderNonInvariantCulture_UsesDot()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        try
        {
            // InvariantGlobalization is on, but a culture object can still carry a comma separator.
            var culture = (System.Globalization.CultureInfo)System.Globalization.CultureInfo.InvariantCulture.Clone();
            culture.NumberFormat.NumberDecimalSeparator = ",";
            Thread.CurrentThread.CurrentCulture = culture;

            Assert.Equal("0.25", PrometheusText.FormatDouble(0.25));
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }

    [Fact]
    public void FormatLabels_EscapesAndSanitizes_OneLabelPerTag()
    {
        KeyValuePair<string, object?>[] tags = [new("a.b", "x\"y"), new("c", "back\\slash\nline")];

        Assert.Equal("a_b=\"x\\\"y\",c=\"back\\\\slash\\nline\"", PrometheusText.FormatLabels(tags));
    }
}
