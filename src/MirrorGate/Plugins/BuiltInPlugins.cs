using MirrorGate.Pipeline;
using MirrorGate.Plugins.ProxyMirror;

namespace MirrorGate.Plugins;

/// <summary>The one place plugins are registered. config.yaml's <c>plugins:</c> picks among these.</summary>
internal static class BuiltInPlugins
{
    public static IGatewayPlugin[] Create() => [new ProxyMirrorPlugin()];
}
