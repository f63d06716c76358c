namespace MirrorGate.Observability.Apisix;

/// <summary>
/// APISIX's <c>name</c> label of <c>apisix_upstream_status</c>: the etcd key of the resource that
/// holds the checked upstream (<c>/apisix/upstreams/1</c>, <c>/apisix/routes/1</c> for a route's
/// inline upstream, <c>/apisix/services/1</c> for a service's), read from the snapshot's upstream key.
/// </summary>
internal static class UpstreamStatusName
{
    public static string FromKey(string key)
    {
        var slash = key.IndexOf('/');
        if (slash <= 0)
        {
            return key;
        }

        var end = key.IndexOfAny(['@', '|'], slash + 1);
        var id = end < 0 ? key[(slash + 1)..] : key[(slash + 1)..end];
        return key[..slash] switch
        {
            "upstream" => "/apisix/upstreams/" + id,
            "route" => "/apisix/routes/" + id,
            "service" => "/apisix/services/" + id,
            _ => key,
        };
    }
}
