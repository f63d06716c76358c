using System.Net;
using System.Text.Json.Nodes;

namespace MirrorGate.Configuration;

/// <summary>Reads <c>deployment.*</c>: role, store provider, SQLite path, etcd and Admin API settings.</summary>
internal static class DeploymentReader
{
    /// <summary>APISIX's default Admin API network; <c>::1</c> joins it so localhost over IPv6 works too.</summary>
    private static readonly IPNetwork[] DefaultAllowAdmin = [IPNetwork.Parse("127.0.0.0/24"), IPNetwork.Parse("::1/128")];

    public static DeploymentConfig Read(ConfigSection deployment, ConfigReadContext context)
    {
        var role = deployment.String("role", "traditional") switch
        {
            "traditional" => DeploymentRole.Traditional,
            var other and ("control_plane" or "data_plane") =>
                throw deployment.Invalid(deployment.KeyPath("role"), "only \"traditional\" is supported for now", JsonValue.Create(other)),
            var other => throw deployment.Invalid(deployment.KeyPath("role"), "expected \"traditional\"", JsonValue.Create(other)),
        };

        var traditional = deployment.Section("role_traditional");
        var etcdGiven = deployment.Raw("etcd", out _) is not null;
        var providerPath = traditional.KeyPath("config_provider");
        var (provider, providerReason) = traditional.String("config_provider", null) switch
        {
            "sqlite" => (ConfigProvider.Sqlite, $"{providerPath}: sqlite"),
            "etcd" => (ConfigProvider.Etcd, $"{providerPath}: etcd"),
            // APISIX's default: a traditional node keeps its configuration in etcd. A config.yaml
            // written for APISIX (its Docker image's has deployment.etcd and nothing else) gets etcd.
            null when etcdGiven => (ConfigProvider.Etcd, $"deployment.etcd is set and {providerPath} is not; etcd is APISIX's default"),
            null => (ConfigProvider.Sqlite, $"neither {providerPath} nor deployment.etcd is set; the embedded store is MirrorGate's default"),
            var other => throw traditional.Invalid(providerPath, "expected \"sqlite\" or \"etcd\"", JsonValue.Create(other)),
        };
        traditional.CheckUnknownKeys();

        var sqlite = deployment.Section("sqlite");
        var sqlitePath = FullPath(sqlite, "path", "data/mirrorgate.db")!;
        sqlite.CheckUnknownKeys();

        var etcd = ReadEtcd(deployment.Section("etcd"), context);
        var admin = ReadAdmin(deployment.Section("admin"), context);
        deployment.CheckUnknownKeys();
        return new DeploymentConfig(role, provider, sqlitePath, etcd, admin) { ConfigProviderReason = providerReason };
    }

    private static EtcdConfig ReadEtcd(ConfigSection etcd, ConfigReadContext context)
    {
        var hostPath = etcd.KeyPath("host");
        var hostValue = etcd.Raw("host", out _);
        JsonNode?[] hostItems = hostValue switch
        {
            null => [JsonValue.Create("http://127.0.0.1:2379")],
            JsonArray array => [.. array],
            _ => [hostValue],
        };
        if (hostItems.Length == 0)
        {
            throw etcd.Invalid(hostPath, "expected at least one etcd URL", hostValue);
        }

        var hosts = new List<Uri>(hostItems.Length);
        for (var i = 0; i < hostItems.Length; i++)
        {
            var itemPath = hostValue is JsonArray ? $"{hostPath}[{i}]" : hostPath;
            var text = hostItems[i] is { } item ? ConfigSection.ToString(item, itemPath, context) : null;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
            {
                throw etcd.Invalid(itemPath, "expected an http:// or https:// URL such as http://127.0.0.1:2379", hostItems[i]);
            }

            hosts.Add(uri);
        }

        var prefix = etcd.String("prefix", "/apisix")!;
        if (!prefix.StartsWith('/'))
        {
            throw etcd.Invalid(etcd.KeyPath("prefix"), "expected a key prefix starting with /", JsonValue.Create(prefix));
        }

        var timeout = etcd.Int("timeout", 30, 1, 3600);
        var watchTimeout = etcd.Int("watch_timeout", 50, 1, 3600);
        var user = etcd.String("user", null);
        var password = etcd.String("password", null);
        var startupRetry = etcd.Int("startup_retry", 2, 0, 1000);

        EtcdTlsConfig? tls = null;
        if (etcd.Raw("tls", out _) is not null)
        {
            var tlsSection = etcd.Section("tls");
            tls = new EtcdTlsConfig(FullPath(tlsSection, "cert", null), FullPath(tlsSection, "key", null), tlsSection.Bool("verify", true));
            if ((tls.Cert is null) != (tls.Key is null))
            {
                throw tlsSection.Invalid(tlsSection.KeyPath(tls.Cert is null ? "cert" : "key"), "cert and key must be given together", null);
            }

            tlsSection.CheckUnknownKeys();
        }

        etcd.CheckUnknownKeys();
        return new EtcdConfig(hosts, prefix.TrimEnd('/') is { Length: > 0 } p ? p : "/", TimeSpan.FromSeconds(timeout),
            TimeSpan.FromSeconds(watchTimeout), user, password, tls, startupRetry);
    }

    private static AdminConfig ReadAdmin(ConfigSection admin, ConfigReadContext context)
    {
        var keys = ReadAdminKeys(admin, context);
        var keyRequired = admin.Bool("admin_key_required", true);
        if (keyRequired && keys.Count == 0)
        {
            // APISIX would then serve the Admin API without any key; MirrorGate refuses to by default.
            throw admin.Invalid(admin.KeyPath("admin_key"),
                "at least one key is required while admin_key_required is true (set admin_key_required: false to run without keys)",
                admin.Raw("admin_key", out _));
        }

        var listen = admin.Section("admin_listen");
        var ip = listen.Raw("ip", out _) is { } ipNode ? ConfigSection.ToIp(ipNode, listen.KeyPath("ip"), context) : "127.0.0.1";
        var port = listen.Int("port", 9180, 1, 65535);
        listen.CheckUnknownKeys();

        var allowAdmin = ReadAllowAdmin(admin, context);

        var version = admin.String("admin_api_version", "v3");
        if (version != "v3")
        {
            throw admin.Invalid(admin.KeyPath("admin_api_version"), "only \"v3\" is supported", JsonValue.Create(version));
        }

        admin.CheckUnknownKeys();
        return new AdminConfig(keys, keyRequired, new ListenAddress(ip, port), allowAdmin);
    }

    /// <summary><c>admin_key</c>: absent gives APISIX's default, one admin key to be generated; null or [] gives none.</summary>
    private static List<AdminKeyConfig> ReadAdminKeys(ConfigSection admin, ConfigReadContext context)
    {
        var keyPath = admin.KeyPath("admin_key");
        var value = admin.Raw("admin_key", out var present);
        if (!present)
        {
            return [new AdminKeyConfig("admin", string.Empty, AdminRole.Admin)];
        }

        if (value is null)
        {
            return [];
        }

        if (value is not JsonArray array)
        {
            throw admin.Invalid(keyPath, "expected a list of {name, key, role}", value);
        }

        var keys = new List<AdminKeyConfig>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            var itemPath = $"{keyPath}[{i}]";
            if (array[i] is not JsonObject obj)
            {
                throw admin.Invalid(itemPath, "expected a mapping {name, key, role}", array[i]);
            }

            var item = new ConfigSection(obj, itemPath, context);
            var name = item.String("name", null) ?? throw item.Invalid(item.KeyPath("name"), "required: expected a string", null);
            var roleText = item.String("role", null) ?? throw item.Invalid(item.KeyPath("role"), "required: expected \"admin\" or \"viewer\"", null);
            var role = roleText switch
            {
                "admin" => AdminRole.Admin,
                "viewer" => AdminRole.Viewer,
                _ => throw item.Invalid(item.KeyPath("role"), "expected \"admin\" or \"viewer\"", JsonValue.Create(roleText)),
            };

            // An empty admin key is generated at start-up (AdminKeyBootstrap); a viewer key never is.
            var key = item.String("key", string.Empty)!;
            if (key.Length == 0 && role == AdminRole.Viewer)
            {
                throw item.Invalid(item.KeyPath("key"), "a viewer key cannot be empty (only admin keys are generated)", JsonValue.Create(key));
            }

            if (keys.Exists(k => k.Name == name))
            {
                throw item.Invalid(item.KeyPath("name"), "duplicate key name", JsonValue.Create(name));
            }

            item.CheckUnknownKeys();
            keys.Add(new AdminKeyConfig(name, key, role));
        }

        return keys;
    }

    /// <summary>
    /// <c>allow_admin</c>: IPs and CIDRs. Absent → 127.0.0.0/24 and ::1; null → no restriction
    /// (APISIX's template then allows all); [] → nobody. Host bits are cleared as nginx does.
    /// </summary>
    private static IReadOnlyList<IPNetwork>? ReadAllowAdmin(ConfigSection admin, ConfigReadContext context)
    {
        var keyPath = admin.KeyPath("allow_admin");
        var value = admin.Raw("allow_admin", out var present);
        if (!present)
        {
            return DefaultAllowAdmin;
        }

        if (value is null)
        {
            context.Warnings.Add($"'{keyPath}' is null in {context.SourceName}: the Admin API accepts clients from any address");
            return null;
        }

        JsonNode?[] items = value is JsonArray array ? [.. array] : [value];
        var networks = new List<IPNetwork>(items.Length);
        for (var i = 0; i < items.Length; i++)
        {
            var itemPath = value is JsonArray ? $"{keyPath}[{i}]" : keyPath;
            var text = items[i] is { } item ? ConfigSection.ToString(item, itemPath, context) : null;
            networks.Add(TryParseNetwork(text, out var network)
                ? network
                : throw admin.Invalid(itemPath, "expected an IP address or CIDR such as 127.0.0.0/24", items[i]));
        }

        if (networks.Count == 0)
        {
            context.Warnings.Add($"'{keyPath}' is empty in {context.SourceName}: the Admin API refuses every client");
        }

        return networks;
    }

    internal static bool TryParseNetwork(string? text, out IPNetwork network)
    {
        network = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!IPAddress.TryParse(addressText.Trim(), out var address))
        {
            return false;
        }

        var maxPrefix = address.GetAddressBytes().Length * 8;
        var prefix = maxPrefix;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), out prefix) || prefix < 0 || prefix > maxPrefix))
        {
            return false;
        }

        // 127.0.0.1/24 means 127.0.0.0/24 to nginx; IPNetwork insists the host bits be zero.
        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < maxPrefix; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        network = new IPNetwork(new IPAddress(bytes), prefix);
        return true;
    }

    /// <summary>A path value made absolute against the working directory (as the issue asks), or the fallback's.</summary>
    private static string? FullPath(ConfigSection section, string key, string? fallback)
    {
        var text = section.String(key, fallback);
        if (text is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            throw section.Invalid(section.KeyPath(key), "expected a file path", JsonValue.Create(text));
        }

        return Path.GetFullPath(text);
    }
}
