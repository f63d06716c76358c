using System.Net;

namespace MirrorGate.Http;

/// <summary>
/// Every outgoing HTTP connection of the gateway (upstreams, mirrors, health probes) goes through
/// a handler built here, set up as YARP recommends for proxies: no proxy, no redirects, no
/// decompression, no cookies, a finite connect timeout, no tracing headers added.
/// </summary>
internal static class OutgoingHandler
{
    public static SocketsHttpHandler Create(TimeSpan connectTimeout, bool verifyCertificates, TimeSpan? idleTimeout = null)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = null,
            ConnectTimeout = connectTimeout,
            PooledConnectionIdleTimeout = idleTimeout ?? TimeSpan.FromSeconds(60),
        };
        if (!verifyCertificates)
        {
            // As APISIX (nginx's proxy_ssl_verify off) unless configured: test and internal hosts
            // often run self-signed certificates.
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }

        return handler;
    }
}
