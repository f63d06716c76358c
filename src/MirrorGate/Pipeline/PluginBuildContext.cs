using Microsoft.Extensions.Logging;

namespace MirrorGate.Pipeline;

/// <summary>What a plugin may use when it compiles a route's config: the route's id and node-wide services.</summary>
internal sealed class PluginBuildContext(string routeId, IServiceProvider services, ILoggerFactory loggerFactory)
{
    public string RouteId { get; } = routeId;

    public IServiceProvider Services { get; } = services;

    public ILoggerFactory LoggerFactory { get; } = loggerFactory;
}
