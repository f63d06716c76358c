namespace MirrorGate.Resources;

/// <summary>The resource types the Admin API manages, named as APISIX names them.</summary>
public enum ResourceKind
{
    Route,
    Upstream,
    Service,
    PluginConfig,
    GlobalRule,

    /// <summary>An API consumer, keyed by its <c>username</c> (APISIX's <c>/apisix/consumers/&lt;username&gt;</c>).</summary>
    Consumer,

    /// <summary>A consumer's credential, id <c>&lt;username&gt;/&lt;credential id&gt;</c> (APISIX's <c>/apisix/consumers/&lt;username&gt;/credentials/&lt;id&gt;</c>).</summary>
    Credential,
}

public static class ResourceKinds
{
    public static readonly ResourceKind[] All = [ResourceKind.Route, ResourceKind.Upstream, ResourceKind.Service, ResourceKind.PluginConfig, ResourceKind.GlobalRule, ResourceKind.Consumer];

    /// <summary>The plural path segment: <c>routes</c>, used in URLs and store keys.</summary>
    public static string Plural(this ResourceKind kind) => kind switch
    {
        ResourceKind.Route => "routes",
        ResourceKind.Upstream => "upstreams",
        ResourceKind.Service => "services",
        ResourceKind.PluginConfig => "plugin_configs",
        ResourceKind.GlobalRule => "global_rules",
        ResourceKind.Consumer => "consumers",
        ResourceKind.Credential => "credentials",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The singular word APISIX uses in messages: <c>missing route id</c>.</summary>
    public static string Singular(this ResourceKind kind) => kind switch
    {
        ResourceKind.Route => "route",
        ResourceKind.Upstream => "upstream",
        ResourceKind.Service => "service",
        ResourceKind.PluginConfig => "plugin config",
        ResourceKind.GlobalRule => "global rule",
        ResourceKind.Consumer => "consumer",
        ResourceKind.Credential => "credential",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static bool TryParsePlural(string segment, out ResourceKind kind)
    {
        switch (segment)
        {
            case "routes": kind = ResourceKind.Route; return true;
            case "upstreams": kind = ResourceKind.Upstream; return true;
            case "services": kind = ResourceKind.Service; return true;
            case "plugin_configs": kind = ResourceKind.PluginConfig; return true;
            case "global_rules": kind = ResourceKind.GlobalRule; return true;
            case "consumers": kind = ResourceKind.Consumer; return true;
            default: kind = default; return false;
        }
    }

    /// <summary>
    /// A kind as stores name it: <see cref="TryParsePlural"/>'s plus credentials, which live below
    /// their consumer and have no Admin API path of their own.
    /// </summary>
    public static bool TryParseStored(string segment, out ResourceKind kind)
    {
        if (segment == "credentials")
        {
            kind = ResourceKind.Credential;
            return true;
        }

        return TryParsePlural(segment, out kind);
    }
}
