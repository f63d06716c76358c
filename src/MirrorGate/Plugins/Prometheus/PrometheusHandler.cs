using MirrorGate.Observability.Apisix;
using MirrorGate.Pipeline;

namespace MirrorGate.Plugins.Prometheus;

/// <summary>
/// prometheus compiled for a route (or a service's routes): in the log phase, which runs for
/// every request of the route, answered by a plugin or proxied, it marks the request for
/// APISIX's http series. The series themselves are recorded by <see cref="ApisixMetrics"/>,
/// which reads the mark, so the handler holds nothing but the label choice and is shared.
/// </summary>
internal sealed class PrometheusHandler : PluginHandler
{
    public static readonly PrometheusHandler ByIds = new(ApisixHttpMetricsMark.Ids);

    public static readonly PrometheusHandler ByNames = new(ApisixHttpMetricsMark.Names);

    private PrometheusHandler(ApisixHttpMetricsMark mark)
    {
        Mark = mark;
    }

    public ApisixHttpMetricsMark Mark { get; }

    public override bool HasLog => true;

    public override void Log(ProxyContext context) => context.ApisixHttpMetrics = Mark;
}
