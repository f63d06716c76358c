namespace MirrorGate.Observability.Apisix;

/// <summary>
/// Whether APISIX's per-request series (<c>http_status</c>, <c>http_latency</c>, <c>bandwidth</c>)
/// record a request, and how they name its route and service. APISIX records a request only when
/// its <c>prometheus</c> plugin ran for it (on the route, its service or a global rule), so the
/// plugin's handler sets this on the request and <see cref="ApisixMetrics"/> reads it once the
/// request is done; how the plugin got onto the request does not matter.
/// </summary>
internal enum ApisixHttpMetricsMark : byte
{
    /// <summary>No prometheus plugin ran: the request is not recorded (the node gauges still count it).</summary>
    None,

    /// <summary>Recorded with the route's and service's ids (<c>prefer_name: false</c>, the default).</summary>
    Ids,

    /// <summary>Recorded with the route's and service's <c>name</c>, each falling back to its id when it has none (<c>prefer_name: true</c>).</summary>
    Names,
}
