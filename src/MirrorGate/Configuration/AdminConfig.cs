using System.Net;

namespace MirrorGate.Configuration;

/// <summary><c>deployment.admin.*</c>: who may call the Admin API, and where it listens.</summary>
/// <param name="Keys"><c>admin_key</c>; an admin key may be "" until <see cref="AdminKeyBootstrap"/> fills it.</param>
/// <param name="KeyRequired"><c>admin_key_required</c>; default true.</param>
/// <param name="Listen"><c>admin_listen</c>; default 127.0.0.1:9180 (APISIX binds 0.0.0.0; MirrorGate is secure by default).</param>
/// <param name="AllowAdmin"><c>allow_admin</c>: client networks allowed; null when set to null (no restriction, as APISIX's template).</param>
internal sealed record AdminConfig(
    IReadOnlyList<AdminKeyConfig> Keys,
    bool KeyRequired,
    ListenAddress Listen,
    IReadOnlyList<IPNetwork>? AllowAdmin);

/// <summary>One <c>deployment.admin.admin_key</c> item.</summary>
internal sealed record AdminKeyConfig(string Name, string Key, AdminRole Role)
{
    // Records print every member; keys must never reach a log line.
    public override string ToString() => $"AdminKeyConfig {{ Name = {Name}, Key = {(Key.Length == 0 ? "(empty)" : "***")}, Role = {Role} }}";
}

/// <summary>What an Admin API key may do.</summary>
internal enum AdminRole
{
    /// <summary>Read and write.</summary>
    Admin,

    /// <summary>GET only; any other method gets APISIX's "invalid method for role viewer".</summary>
    Viewer,
}
