using MirrorGate.Configuration;
using MirrorGate.Observability.AccessLog;

namespace MirrorGate.Tests.Observability.AccessLog;

public sealed class AccessLogFormatTests
{
    [Fact]
    public void Parse_ApisixDefaultFormat_CompilesItsFourteenFieldsInOrder()
    {
        var format = AccessLogFormat.Parse(NginxConfig.DefaultAccessLogFormat);

        var variables = format.Segments.Where(s => s.Literal is null).Select(s => s.Variable == AccessLogVariable.RequestHeader ? "http_" + s.Name : s.Variable.ToString()).ToArray();
        Assert.Equal(
            ["RemoteAddr", "RemoteUser", "TimeLocal", "http_host", "Request", "Status", "BodyBytesSent", "RequestTime", "http_referer", "http_user-agent",
             "UpstreamAddr", "UpstreamStatus", "UpstreamResponseTime", "UpstreamScheme", "UpstreamHost", "UpstreamUri"],
            variables);
        Assert.True(format.NeedsByteCounts);
    }

    [Theory]
    [InlineData("$remote_addr $nope", "unknown variable \"$nope\"")]
    [InlineData("$upstream_connect_time", "unknown variable \"$upstream_connect_time\"")]
    [InlineData("cost $ 5", "'$' at offset 5 is not followed by a variable name")]
    [InlineData("${status", "no closing '}'")]
    [InlineData("${sta-tus}", "invalid variable name")]
    public void Parse_BadVariable_ThrowsNamingIt(string text, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => AccessLogFormat.Parse(text));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BracedName_EndsAtTheBrace()
    {
        var format = AccessLogFormat.Parse("${status}ok");

        Assert.Equal(AccessLogVariable.Status, format.Segments[0].Variable);
        Assert.Equal("ok"u8.ToArray(), format.Segments[1].Literal);
    }

    [Fact]
    public void Parse_UpperCaseName_IsTheSameVariable()
    {
        Assert.Equal(AccessLogVariable.Status, AccessLogFormat.Parse("$STATUS").Segments[0].Variable);
    }

    [Fact]
    public void Parse_BackslashEscapes_UnescapedAsNginxReadsAQuotedValue()
    {
        var format = AccessLogFormat.Parse("a\\\"b\\\\c\\td\\q\n\n");

        Assert.Equal("a\"b\\c\td\\q"u8.ToArray(), format.Segments.Single().Literal);
    }

    [Theory]
    [InlineData("$http_x_forwarded_for", "RequestHeader", "x-forwarded-for")]
    [InlineData("$sent_http_content_type", "ResponseHeader", "content-type")]
    [InlineData("$arg_user_id", "QueryArgument", "user_id")]
    public void Parse_PrefixedFamily_NamesTheHeaderOrArgument(string text, string variable, string name)
    {
        var segment = AccessLogFormat.Parse(text).Segments.Single();

        Assert.Equal(variable, segment.Variable.ToString());
        Assert.Equal(name, segment.Name);
    }

    [Theory]
    [InlineData("$status $request_time", false)]
    [InlineData("$bytes_sent", true)]
    [InlineData("$request_length", true)]
    public void Parse_ByteVariables_AskForByteCounts(string text, bool expected)
    {
        Assert.Equal(expected, AccessLogFormat.Parse(text).NeedsByteCounts);
    }

    [Fact]
    public void LoadFromText_UnknownVariable_RefusesNamingKeyAndVariable()
    {
        var yaml = "nginx_config:\n  http:\n    access_log_format: '$remote_addr $bogus_var'\n";

        var ex = Assert.Throws<ConfigException>(() => NodeConfigLoader.LoadFromText(yaml, "config.yaml"));

        Assert.Equal("nginx_config.http.access_log_format", ex.KeyPath);
        Assert.Contains("unknown variable \"$bogus_var\"", ex.Message, StringComparison.Ordinal);
    }
}
