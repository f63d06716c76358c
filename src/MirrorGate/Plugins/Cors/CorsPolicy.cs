namespace MirrorGate.Plugins.Cors;

/// <summary>One cors config, compiled when the snapshot is built: the header values it sends and the origin rules.</summary>
internal sealed class CorsPolicy
{
    /// <summary>What <c>allow_methods: "**"</c> stands for, as APISIX lists it.</summary>
    public const string AllMethods = "GET,POST,PUT,DELETE,PATCH,HEAD,OPTIONS,CONNECT,TRACE";

    public required CorsOriginRule AllowOrigins { get; init; }

    /// <summary>Null when neither <c>timing_allow_origins</c> nor its regex form is set.</summary>
    public CorsOriginRule? TimingAllowOrigins { get; init; }

    /// <summary><c>allow_methods</c> with <c>**</c> expanded.</summary>
    public required string AllowMethods { get; init; }

    /// <summary><c>allow_headers</c>; <c>**</c> means the request's Access-Control-Request-Headers.</summary>
    public required string AllowHeaders { get; init; }

    /// <summary>Null or empty: no Access-Control-Expose-Headers.</summary>
    public string? ExposeHeaders { get; init; }

    public required string MaxAge { get; init; }

    public bool AllowCredential { get; init; }

    /// <summary>APISIX adds <c>Vary: Origin</c> whenever <c>allow_origins</c> is not <c>*</c>.</summary>
    public bool VaryOrigin { get; init; }
}
