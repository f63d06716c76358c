using Google.Protobuf;
using MirrorGate.Resources;

namespace MirrorGate.Etcd;

/// <summary>
/// APISIX's key layout under one prefix: <c>&lt;prefix&gt;/routes/&lt;id&gt;</c>,
/// <c>&lt;prefix&gt;/upstreams/&lt;id&gt;</c>, <c>&lt;prefix&gt;/services/&lt;id&gt;</c> and
/// <c>&lt;prefix&gt;/gen_id</c> (bumped to mint POST ids), so MirrorGate and APISIX can share one etcd.
/// </summary>
internal sealed class EtcdKeyLayout
{
    /// <param name="prefix">deployment.etcd.prefix as read from config.yaml (no trailing slash, or "/").</param>
    public EtcdKeyLayout(string prefix)
    {
        Prefix = prefix;
        Directory = prefix.EndsWith('/') ? prefix : prefix + "/";
    }

    public string Prefix { get; }

    /// <summary>The prefix with its trailing slash: everything the gateway reads and watches is below it.</summary>
    public string Directory { get; }

    public string GenIdKey => Directory + "gen_id";

    /// <summary>A kind's directory; credentials live below their consumers (<c>consumers/&lt;username&gt;/credentials/&lt;id&gt;</c>).</summary>
    public string KindDirectory(ResourceKind kind) => Directory + (kind == ResourceKind.Credential ? ResourceKind.Consumer : kind).Plural() + "/";

    /// <summary>The key of an item; a credential's id <c>&lt;username&gt;/&lt;id&gt;</c> becomes APISIX's <c>consumers/&lt;username&gt;/credentials/&lt;id&gt;</c>.</summary>
    public string Key(ResourceKind kind, string id)
    {
        if (kind == ResourceKind.Credential)
        {
            var slash = id.IndexOf('/', StringComparison.Ordinal);
            return KindDirectory(kind) + id[..slash] + "/credentials/" + id[(slash + 1)..];
        }

        return KindDirectory(kind) + id;
    }

    /// <summary>
    /// Sorts a key read from etcd: an item of a kind the gateway manages, a malformed item of such a kind
    /// (placeholder directory key, empty or nested id), or a key of something else (plugins, gen_id, consumers...).
    /// </summary>
    public KeyClass Classify(string key, out ResourceKind kind, out string id)
    {
        kind = default;
        id = "";
        if (!key.StartsWith(Directory, StringComparison.Ordinal))
        {
            return KeyClass.Foreign;
        }

        var rest = key.AsSpan(Directory.Length);
        var slash = rest.IndexOf('/');
        if (slash < 0 || !ResourceKinds.TryParsePlural(rest[..slash].ToString(), out kind))
        {
            return KeyClass.Foreign;
        }

        id = rest[(slash + 1)..].ToString();
        if (kind == ResourceKind.Consumer && id.IndexOf("/credentials/", StringComparison.Ordinal) is var at and >= 0)
        {
            kind = ResourceKind.Credential;
            var username = id[..at];
            var credentialId = id[(at + "/credentials/".Length)..];
            id = username + "/" + credentialId;
            return username.Length == 0 || credentialId.Length == 0 || username.Contains('/') || credentialId.Contains('/') ? KeyClass.MalformedItem : KeyClass.Item;
        }

        // APISIX's init_etcd writes "<prefix>/routes/" = "init_dir"; ids never contain a slash.
        return id.Length == 0 || id.Contains('/') ? KeyClass.MalformedItem : KeyClass.Item;
    }

    /// <summary>etcd's range end for "every key starting with <paramref name="prefix"/>": the prefix with its last byte incremented.</summary>
    public static ByteString RangeEnd(string prefix)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(prefix);
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] < 0xff)
            {
                bytes[i]++;
                return ByteString.CopyFrom(bytes, 0, i + 1);
            }
        }

        // All 0xff: no upper bound, "\0" means "to the end of the keyspace" to etcd.
        return ByteString.CopyFrom(0);
    }
}

internal enum KeyClass
{
    Item,
    MalformedItem,
    Foreign,
}
