namespace MirrorGate.Observability.AccessLog;

/// <summary>
/// The variables an <c>access_log_format</c> may name: nginx's (as APISIX's docs use them), the
/// ones APISIX sets for its own format (<c>$upstream_scheme</c>, <c>$upstream_host</c>,
/// <c>$upstream_uri</c>, <c>$apisix_request_id</c>) and a few of APISIX's request variables.
/// The prefixed families (<c>$http_*</c>, <c>$sent_http_*</c>, <c>$arg_*</c>) carry their name in
/// the segment.
/// </summary>
internal enum AccessLogVariable
{
    RemoteAddr,
    RemotePort,
    RemoteUser,
    ServerAddr,
    ServerPort,
    TimeLocal,
    TimeIso8601,
    Msec,
    Host,
    Request,
    RequestMethod,
    RequestUri,
    Uri,
    Args,
    ServerProtocol,
    Scheme,
    Status,
    BodyBytesSent,
    BytesSent,
    RequestLength,
    RequestTime,
    Connection,
    RequestId,
    Hostname,
    Pid,
    UpstreamAddr,
    UpstreamStatus,
    UpstreamResponseTime,
    UpstreamScheme,
    UpstreamHost,
    UpstreamUri,
    RouteId,
    RouteName,
    ServiceId,
    BalancerIp,
    BalancerPort,

    /// <summary><c>$consumer_name</c>: the consumer an auth plugin attached.</summary>
    ConsumerName,

    /// <summary><c>$http_NAME</c>: a request header.</summary>
    RequestHeader,

    /// <summary><c>$sent_http_NAME</c>: a response header.</summary>
    ResponseHeader,

    /// <summary><c>$arg_NAME</c>: a query argument, as sent (not decoded).</summary>
    QueryArgument,
}
