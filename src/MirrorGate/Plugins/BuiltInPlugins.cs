using MirrorGate.Configuration;
using MirrorGate.Pipeline;
using MirrorGate.Plugins.Cors;
using MirrorGate.Plugins.GrpcWeb;
using MirrorGate.Plugins.IpRestriction;
using MirrorGate.Plugins.KeyAuth;
using MirrorGate.Plugins.LimitConn;
using MirrorGate.Plugins.LimitCount;
using MirrorGate.Plugins.LimitReq;
using MirrorGate.Plugins.Prometheus;
using MirrorGate.Plugins.ProxyMirror;
using MirrorGate.Plugins.ProxyRewrite;
using MirrorGate.Plugins.RealIp;
using MirrorGate.Plugins.RequestId;
using MirrorGate.Plugins.ResponseRewrite;

namespace MirrorGate.Plugins;

/// <summary>The one place plugins are registered. config.yaml's <c>plugins:</c> picks among these.</summary>
internal static class BuiltInPlugins
{
    /// <summary>The names of the plugins <see cref="Create"/> makes.</summary>
    public static readonly string[] Names = [RequestIdPlugin.PluginName, ProxyMirrorPlugin.PluginName, ProxyRewritePlugin.PluginName, CorsPlugin.PluginName, IpRestrictionPlugin.PluginName, RealIpPlugin.PluginName, LimitCountPlugin.PluginName, LimitReqPlugin.PluginName, LimitConnPlugin.PluginName, ResponseRewritePlugin.PluginName, GrpcWebPlugin.PluginName, PrometheusPlugin.PluginName, KeyAuthPlugin.PluginName];

    /// <param name="config">The node's settings: a plugin may check configs against them (proxy-mirror refuses the node's own Admin API).</param>
    public static IGatewayPlugin[] Create(NodeConfig config) =>
    [
        new ProxyMirrorPlugin(ReservedListeners.FromConfig(config), MarkerHeader(config)), new ProxyRewritePlugin(), new RequestIdPlugin(),
        new CorsPlugin(), new IpRestrictionPlugin(), new RealIpPlugin(), new LimitCountPlugin(), new LimitReqPlugin(), new LimitConnPlugin(),
        new ResponseRewritePlugin(), new GrpcWebPlugin(), new PrometheusPlugin(),
        new KeyAuthPlugin(),
    ];

    // The node refused to start on a bad marker_header already; here it is only read.
    private static string MarkerHeader(NodeConfig config)
    {
        try
        {
            return Mirroring.ProxyMirrorSettings.FromPluginAttr(config.PluginAttr).MarkerHeader;
        }
        catch (ConfigException)
        {
            return Mirroring.MirrorMarker.DefaultHeaderName;
        }
    }
}
