using System.Text;
using Microsoft.AspNetCore.Http;
using MirrorGate.Configuration;
using MirrorGate.Observability.AccessLog;
using static MirrorGate.Tests.Observability.AccessLog.AccessLogTestRequests;

namespace MirrorGate.Tests.Observability.AccessLog;

public sealed class AccessLogLineFormatterTests
{
    /// <summary>Every plain variable with its value for the proxied request of <see cref="AccessLogTestRequests"/>.</summary>
    public static TheoryData<string, string> ProxiedValues => new()
    {
        { "$remote_addr", "10.0.0.7" },
        { "$remote_port", "50123" },
        { "$remote_user", "-" },
        { "$server_addr", "192.168.1.5" },
        { "$server_port", "9080" },
        { "$time_local", "27/Nov/2026:13:45:01 +0000" },
        { "$time_iso8601", "2026-11-27T13:45:01+00:00" },
        { "$msec", "1795787101.123" },
        { "$host", "api.example" },
        { "$request", "GET /a/b?x=1&y=%41 HTTP/1.1" },
        { "$request_method", "GET" },
        { "$request_uri", "/a/b?x=1&y=%41" },
        { "$uri", "/a/b" },
        { "$document_uri", "/a/b" },
        { "$args", "x=1&y=%41" },
        { "$query_string", "x=1&y=%41" },
        { "$server_protocol", "HTTP/1.1" },
        { "$scheme", "http" },
        { "$status", "200" },
        { "$body_bytes_sent", "11" },
        // "HTTP/1.1 200 OK\r\n" (17) + "Content-Type: text/plain\r\n" (26) + "\r\n" (2) + body 11
        { "$bytes_sent", "56" },
        // "GET /a/b?x=1&y=%41 HTTP/1.1\r\n" (29) + "Host: Api.Example:8080\r\n" (24) + "User-Agent: curl/8.5.0\r\n" (24) + "\r\n" (2) + body 5
        { "$request_length", "84" },
        { "$request_time", "0.123" },
        { "$connection", "0HN1" },
        { "$request_id", "0HN1:00000001" },
        { "$apisix_request_id", "0HN1:00000001" },
        { "$hostname", Environment.MachineName },
        { "$pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        { "$upstream_addr", "127.0.0.1:1980, 127.0.0.2:1981" },
        { "$upstream_status", "502, 200" },
        { "$upstream_response_time", "0.001, 0.004" },
        { "$upstream_scheme", "https" },
        { "$upstream_host", "backend.internal" },
        { "[$upstream_uri]", "[]" },
        { "$route_id", "r1" },
        { "$route_name", "orders" },
        { "$service_id", "7" },
        { "$balancer_ip", "127.0.0.2" },
        { "$balancer_port", "1981" },
        { "$consumer_name", "jack" },
        { "$http_user_agent", "curl/8.5.0" },
        { "$http_referer", "-" },
        { "$sent_http_content_type", "text/plain" },
        { "$sent_http_x_missing", "-" },
        { "$arg_y", "%41" },
        { "$arg_X", "1" },
        { "$arg_z", "-" },
    };

    [Theory]
    [MemberData(nameof(ProxiedValues))]
    public void Format_ProxiedRequest_WritesVariableAsNginx(string format, string expected)
    {
        var http = NewHttp();
        http.Response.ContentType = "text/plain";
        var request = Completed(http, Proxied(http), requestBody: 5);

        Assert.Equal(expected, Render(format, request));
    }

    [Fact]
    public void ProxiedValues_CoverEveryKnownVariable()
    {
        var tested = ProxiedValues.Select(row => ((string)row[0]).Trim('[', ']', '$')).ToHashSet(StringComparer.Ordinal);

        Assert.All(AccessLogFormat.KnownNames, name => Assert.Contains(name, tested));
    }

    [Fact]
    public void Format_DefaultFormat_WritesApisixLine()
    {
        var http = NewHttp();
        http.Request.Headers.Referer = "http://shop.test/";
        var request = Completed(http, Proxied(http), responseBody: 12);

        Assert.Equal(
            "10.0.0.7 - - [27/Nov/2026:13:45:01 +0000] Api.Example:8080 \"GET /a/b?x=1&y=%41 HTTP/1.1\" 200 12 0.123 \"http://shop.test/\" \"curl/8.5.0\" 127.0.0.1:1980, 127.0.0.2:1981 502, 200 0.001, 0.004 \"https://backend.internal\"",
            Render(NginxConfig.DefaultAccessLogFormat, request));
    }

    [Fact]
    public void Format_NoRouteMatched_WritesDashesAndApisixsUpstreamDefaults()
    {
        var http = NewHttp();
        http.Response.StatusCode = 404;

        Assert.Equal(
            "10.0.0.7 - - [27/Nov/2026:13:45:01 +0000] Api.Example:8080 \"GET /a/b?x=1&y=%41 HTTP/1.1\" 404 11 0.123 \"-\" \"curl/8.5.0\" - - - \"http://Api.Example:8080\"",
            Render(NginxConfig.DefaultAccessLogFormat, Completed(http, proxy: null)));
        Assert.Equal("- - - - -", Render("$route_id $route_name $service_id $balancer_port $consumer_name", Completed(http, proxy: null)));
    }

    [Fact]
    public void Format_JsonEscape_MissingValuesAreEmptyAndQuotesEscaped()
    {
        var http = NewHttp();
        http.Request.Headers.UserAgent = "say \"hi\"\n";

        var line = Render("""{"ua":"$http_user_agent","ref":"$http_referer","status":$status}""", Completed(http, proxy: null), AccessLogEscape.Json);

        Assert.Equal("""{"ua":"say \"hi\"\n","ref":"","status":200}""", line);
    }

    [Fact]
    public void Format_DefaultEscape_EscapesValuesButNotLiterals()
    {
        var http = NewHttp();
        http.Request.Headers.UserAgent = "a\"b\\c\u0001é";

        Assert.Equal("\"a\\x22b\\x5Cc\\x01\\xC3\\xA9\"", Render("\"$http_user_agent\"", Completed(http, proxy: null)));
    }

    [Fact]
    public void Format_RepeatedHeader_JoinedWithComma()
    {
        var http = NewHttp();
        http.Request.Headers.Append("X-Forwarded-For", "10.1.1.1");
        http.Request.Headers.Append("X-Forwarded-For", "10.2.2.2");
        http.Request.Headers.Append("Cookie", "a=1");
        http.Request.Headers.Append("Cookie", "b=2");

        Assert.Equal("10.1.1.1, 10.2.2.2 a=1; b=2", Render("$http_x_forwarded_for $http_cookie", Completed(http, proxy: null)));
    }

    [Fact]
    public void Format_BasicAuthorization_RemoteUserIsItsUser()
    {
        var http = NewHttp();
        http.Request.Headers.Authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:secret"));

        Assert.Equal("alice", Render("$remote_user", Completed(http, proxy: null)));
    }

    [Fact]
    public void Format_Http2_ProtocolAsNginxNamesIt()
    {
        var http = NewHttp();
        http.Request.Protocol = "HTTP/2";

        Assert.Equal("GET /a/b?x=1&y=%41 HTTP/2.0 HTTP/2.0", Render("$request $server_protocol", Completed(http, proxy: null)));
    }

    [Fact]
    public void Format_ClientGoneBeforeAnswer_Status499()
    {
        var http = NewHttp();
        using var aborted = new CancellationTokenSource();
        aborted.Cancel();
        http.RequestAborted = aborted.Token;

        Assert.Equal("499", Render("$status", Completed(http, proxy: null)));
    }

    [Fact]
    public void Format_NoQuery_ArgsIsDash()
    {
        var http = NewHttp();
        http.Request.QueryString = QueryString.Empty;

        Assert.Equal("- -", Render("$args $arg_x", Completed(http, proxy: null)));
    }

    [Theory]
    [InlineData(5.5, "27/Nov/2026:19:15:01 +0530 2026-11-27T19:15:01+05:30")]
    [InlineData(-3, "27/Nov/2026:10:45:01 -0300 2026-11-27T10:45:01-03:00")]
    public void Format_LocalZone_TimesInThatZone(double hours, string expected)
    {
        Assert.Equal(expected, Render("$time_local $time_iso8601", Completed(NewHttp(), proxy: null), zone: TimeSpan.FromHours(hours)));
    }

    [Fact]
    public void Format_LongValue_GrowsItsPooledArray()
    {
        var http = NewHttp();
        var longAgent = new string('a', 5000);
        http.Request.Headers.UserAgent = longAgent;

        Assert.Equal($"[{longAgent}]", Render("[$http_user_agent]", Completed(http, proxy: null)));
    }

    [Fact]
    public void Format_DefaultFormatWarm_AllocatesNothingPerLine()
    {
        var http = NewHttp();
        http.Request.Headers.Referer = "http://shop.test/";
        var request = Completed(http, Proxied(http));
        var formatter = new AccessLogLineFormatter(AccessLogFormat.Parse(NginxConfig.DefaultAccessLogFormat), AccessLogEscape.Default, new AccessLogClock(new FixedTime(Now, TimeSpan.Zero)));
        FormatAndReturn(formatter, request);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            FormatAndReturn(formatter, request);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static void FormatAndReturn(AccessLogLineFormatter formatter, in MirrorGate.Pipeline.CompletedRequest request)
    {
        var line = new AccessLogLineBuilder(AccessLogLineFormatter.InitialLineCapacity, formatter.Escape);
        formatter.Format(ref line, request);
        line.Dispose();
    }
}
