using System.Text.Json;
using System.Text.Json.Nodes;

namespace MirrorGate.Configuration;

/// <summary>
/// Reads <c>config.yaml</c> (APISIX's key layout) into a <see cref="NodeConfig"/>: defaults for
/// what is absent, a <see cref="ConfigException"/> naming the key for what is wrong or unknown
/// (with the closest known key), and a warning for each key APISIX has that MirrorGate does not
/// use (listed in <c>ApisixKeys.txt</c>).
/// </summary>
internal static class NodeConfigLoader
{
    /// <summary>Used when <c>--config</c> is not given, relative to the working directory.</summary>
    public const string DefaultPath = "conf/config.yaml";

    /// <summary>Loads a file; a relative <paramref name="path"/> resolves against the working directory.</summary>
    /// <exception cref="ConfigException">The file is missing, unreadable, not YAML, or holds a bad value.</exception>
    public static (NodeConfig Config, IReadOnlyList<string> Warnings) Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var fullPath = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(fullPath);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigException($"config file not found: {fullPath} (pass --config PATH to use another file)", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"cannot read config file {fullPath}: {ex.Message}", ex);
        }

        return LoadFromText(text, fullPath);
    }

    /// <summary>Loads YAML text; <paramref name="sourceName"/> names it in messages and becomes <see cref="NodeConfig.Source"/>.</summary>
    public static (NodeConfig Config, IReadOnlyList<string> Warnings) LoadFromText(string yaml, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var context = new ConfigReadContext(sourceName);
        var root = new ConfigSection(YamlToJson.ParseDocument(yaml, sourceName), string.Empty, context);

        var apisix = root.Section("apisix");
        var id = ReadId(apisix);
        var nodeListen = ReadNodeListen(apisix, context);
        var enableAdmin = apisix.Bool("enable_admin", true);
        var serverTokens = apisix.Bool("enable_server_tokens", true);
        var dataEncryption = DataEncryptionConfig.Read(apisix.Section("data_encryption"));
        apisix.CheckUnknownKeys();
        var nginx = NginxConfigReader.Read(root.Section("nginx_config"));

        var deployment = DeploymentReader.Read(root.Section("deployment"), context);
        var plugins = ReadPlugins(root, context);
        var pluginAttr = ReadPluginAttr(root);
        var exportAddr = ReadExportAddr(pluginAttr, context);
        CheckProxyMirrorKeys(pluginAttr, context);
        root.CheckUnknownKeys();
        context.ThrowIfUnknownKeys();

        var config = new NodeConfig(sourceName, nodeListen, enableAdmin, deployment, plugins, pluginAttr, exportAddr, id)
        {
            Nginx = nginx,
            EnableServerTokens = serverTokens,
            DataEncryption = dataEncryption,
        };
        return (config, context.Warnings.ToArray());
    }

    /// <summary><c>apisix.id</c>: the node's name on every mirror copy it sends; absent means generated.</summary>
    private static string? ReadId(ConfigSection apisix)
    {
        var id = apisix.String("id", null);
        if (id is not null && !NodeIdBootstrap.IsValid(id))
        {
            throw apisix.Invalid(apisix.KeyPath("id"), $"expected 1 to {NodeIdBootstrap.MaxLength} visible ASCII characters without spaces", apisix.Raw("id", out _));
        }

        return id;
    }

    /// <summary>
    /// <c>apisix.node_listen</c>: a port, a list of ports, or a list of <c>{ip, port, enable_http2}</c>
    /// (a single mapping is taken as a one-item list).
    /// </summary>
    private static IReadOnlyList<ListenEndpoint> ReadNodeListen(ConfigSection apisix, ConfigReadContext context)
    {
        var keyPath = apisix.KeyPath("node_listen");
        var value = apisix.Raw("node_listen", out _);
        JsonNode?[] items = value switch
        {
            null => [JsonValue.Create(9080L)],
            JsonArray array => [.. array],
            _ => [value],
        };

        if (items.Length == 0)
        {
            throw apisix.Invalid(keyPath, "expected at least one listener", value);
        }

        var endpoints = new List<ListenEndpoint>(items.Length);
        for (var i = 0; i < items.Length; i++)
        {
            var itemPath = value is JsonArray ? $"{keyPath}[{i}]" : keyPath;
            var endpoint = items[i] switch
            {
                JsonObject obj => ReadListenItem(new ConfigSection(obj, itemPath, context), context),
                JsonValue port when port.GetValueKind() == JsonValueKind.Number =>
                    new ListenEndpoint("0.0.0.0", ConfigSection.ToInt(port, itemPath, 1, 65535, context), false),
                var other => throw apisix.Invalid(itemPath, "expected a port or a mapping {ip, port, enable_http2}", other),
            };

            if (endpoints.Exists(e => e.Ip == endpoint.Ip && e.Port == endpoint.Port))
            {
                throw apisix.Invalid(itemPath, $"duplicate listener {endpoint.Ip}:{endpoint.Port}", items[i]);
            }

            endpoints.Add(endpoint);
        }

        return endpoints;
    }

    private static ListenEndpoint ReadListenItem(ConfigSection item, ConfigReadContext context)
    {
        var ip = item.Raw("ip", out _) is { } ipNode ? ConfigSection.ToIp(ipNode, item.KeyPath("ip"), context) : "0.0.0.0";
        var port = item.Raw("port", out _) is { } portNode
            ? ConfigSection.ToInt(portNode, item.KeyPath("port"), 1, 65535, context)
            : throw item.Invalid(item.KeyPath("port"), "required: expected an integer between 1 and 65535", null);
        var http2 = item.Bool("enable_http2", false);
        item.CheckUnknownKeys();
        return new ListenEndpoint(ip, port, http2);
    }

    /// <summary><c>plugins</c>: absent or null means every built-in plugin; a list names the enabled ones.</summary>
    private static IReadOnlyList<string>? ReadPlugins(ConfigSection root, ConfigReadContext context)
    {
        var value = root.Raw("plugins", out _);
        if (value is null)
        {
            return null;
        }

        if (value is not JsonArray array)
        {
            throw root.Invalid("plugins", "expected a list of plugin names", value);
        }

        var names = new List<string>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            var name = array[i] is { } item ? ConfigSection.ToString(item, $"plugins[{i}]", context) : string.Empty;
            if (string.IsNullOrWhiteSpace(name))
            {
                throw root.Invalid($"plugins[{i}]", "expected a plugin name", array[i]);
            }

            if (!names.Contains(name, StringComparer.Ordinal))
            {
                names.Add(name);
            }
        }

        return names;
    }

    /// <summary><c>plugin_attr</c> kept as JSON: each plugin validates its own part when it starts.</summary>
    private static JsonObject ReadPluginAttr(ConfigSection root)
    {
        var value = root.Raw("plugin_attr", out _);
        return value switch
        {
            null => [],
            // Cloned so the result has no parent and can be handed around on its own.
            JsonObject obj => (JsonObject)obj.DeepClone(),
            _ => throw root.Invalid("plugin_attr", "expected a mapping of plugin names to settings", value),
        };
    }

    /// <summary>
    /// <c>plugin_attr.proxy-mirror</c> is MirrorGate's own: its values are checked by
    /// <see cref="Mirroring.ProxyMirrorSettings"/>, its key names here, so a misspelt
    /// <c>max_body_sise</c> stops the load instead of leaving the default in force.
    /// </summary>
    private static void CheckProxyMirrorKeys(JsonObject pluginAttr, ConfigReadContext context)
    {
        if (pluginAttr["proxy-mirror"] is not JsonObject attr)
        {
            return;
        }

        var section = new ConfigSection(attr, "plugin_attr.proxy-mirror", context);
        foreach (var key in ProxyMirrorKeys)
        {
            section.Raw(key, out _);
        }

        if (attr["timeout"] is JsonObject timeout)
        {
            var timeoutSection = new ConfigSection(timeout, "plugin_attr.proxy-mirror.timeout", context);
            foreach (var key in (string[])["connect", "send", "read"])
            {
                timeoutSection.Raw(key, out _);
            }

            timeoutSection.CheckUnknownKeys();
        }

        section.CheckUnknownKeys();
    }

    /// <summary>The keys of <c>plugin_attr.proxy-mirror</c> (APISIX's <c>timeout</c> and MirrorGate's own).</summary>
    internal static readonly string[] ProxyMirrorKeys =
    [
        "timeout", "max_body_size", "max_buffered_bytes", "queue_size", "concurrency", "pipeline_depth",
        "verify_tls", "compare_max_bytes", "compare_log", "marker_header",
    ];

    /// <summary>
    /// <c>plugin_attr.prometheus.export_addr</c>, typed because the host opens a listener for it.
    /// Default 127.0.0.1:9091 as APISIX: metrics stay local unless asked otherwise.
    /// </summary>
    private static ListenAddress ReadExportAddr(JsonObject pluginAttr, ConfigReadContext context)
    {
        var prometheus = pluginAttr["prometheus"];
        if (prometheus is null)
        {
            return new ListenAddress("127.0.0.1", 9091);
        }

        if (prometheus is not JsonObject prometheusObject)
        {
            throw ConfigSection.Invalid(context, "plugin_attr.prometheus", "expected a mapping", prometheus);
        }

        // Other prometheus keys belong to the plugin; only export_addr is checked here.
        var section = new ConfigSection(prometheusObject, "plugin_attr.prometheus", context).Section("export_addr");
        var ip = section.Raw("ip", out _) is { } ipNode ? ConfigSection.ToIp(ipNode, section.KeyPath("ip"), context) : "127.0.0.1";
        var port = section.Int("port", 9091, 1, 65535);
        section.CheckUnknownKeys();
        return new ListenAddress(ip, port);
    }
}
