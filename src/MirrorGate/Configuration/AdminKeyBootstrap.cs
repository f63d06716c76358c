using System.Security.Cryptography;

namespace MirrorGate.Configuration;

/// <summary>
/// Gives every admin-role key left empty in <c>config.yaml</c> a real value: generated once
/// (32 random letters, as APISIX since 3.10) and kept in <c>admin_key</c> beside the database,
/// readable by the owner only, so the same key works after every restart.
/// </summary>
/// <remarks>
/// APISIX writes the generated key back into <c>config.yaml</c>; MirrorGate leaves the user's file
/// untouched (it may be read-only or under version control) and keeps the secret in the data
/// directory instead. A configured non-empty key is used as is and no file is written.
/// </remarks>
internal static class AdminKeyBootstrap
{
    public const string FileName = "admin_key";

    public const int KeyLength = 32;

    private const string Letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>Fills empty admin keys of <paramref name="admin"/>, using <c>&lt;dir of databasePath&gt;/admin_key</c>.</summary>
    /// <exception cref="ConfigException">The key file cannot be read or written.</exception>
    public static AdminKeyBootstrapResult Apply(AdminConfig admin, string databasePath)
    {
        ArgumentNullException.ThrowIfNull(admin);
        if (!admin.Keys.Any(k => k.Role == AdminRole.Admin && k.Key.Length == 0))
        {
            return new AdminKeyBootstrapResult(admin.Keys, null, false);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath)) ?? Path.GetFullPath(".");
        var keyFile = Path.Combine(directory, FileName);
        var (key, generated) = PrivateFile.ReadOrCreate(keyFile, GenerateKey, "admin key");

        var keys = admin.Keys
            .Select(k => k.Role == AdminRole.Admin && k.Key.Length == 0 ? k with { Key = key } : k)
            .ToArray();
        return new AdminKeyBootstrapResult(keys, keyFile, generated);
    }

    /// <summary><see cref="Apply(AdminConfig, string)"/> for a whole config, beside its SQLite path.</summary>
    public static (NodeConfig Config, AdminKeyBootstrapResult Result) Apply(NodeConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var result = Apply(config.Deployment.Admin, config.Deployment.SqlitePath);
        var admin = config.Deployment.Admin with { Keys = result.Keys };
        return (config with { Deployment = config.Deployment with { Admin = admin } }, result);
    }

    internal static string GenerateKey() => RandomNumberGenerator.GetString(Letters, KeyLength);
}

/// <summary>The keys to enforce, and where a generated key lives (for the start-up log).</summary>
/// <param name="Keys">Every configured key, empty admin keys replaced by the persisted one.</param>
/// <param name="KeyFilePath">The <c>admin_key</c> file, or null when no key needed generating.</param>
/// <param name="Generated">True when the key was created on this start rather than read back.</param>
internal sealed record AdminKeyBootstrapResult(IReadOnlyList<AdminKeyConfig> Keys, string? KeyFilePath, bool Generated);
