using System.Net;
using System.Text.Json.Nodes;
using MirrorGate.Configuration;

namespace MirrorGate.Tests.Configuration;

public sealed class NodeConfigLoaderTests
{
    private static (NodeConfig Config, IReadOnlyList<string> Warnings) Load(string yaml) =>
        NodeConfigLoader.LoadFromText(yaml, "config.yaml");

    private static string Error(string yaml) => Assert.Throws<ConfigException>(() => Load(yaml)).Message;

    [Fact]
    public void LoadFromText_Empty_AppliesEveryDefault()
    {
        var (config, warnings) = Load("");

        Assert.Empty(warnings);
        Assert.Equal("config.yaml", config.Source);
        Assert.Equal([new ListenEndpoint("0.0.0.0", 9080, false)], config.NodeListen);
        Assert.True(config.EnableAdmin);
        Assert.Null(config.Plugins);
        Assert.Empty(config.PluginAttr);
        Assert.Equal(new ListenAddress("127.0.0.1", 9091), config.PrometheusExportAddr);

        var deployment = config.Deployment;
        Assert.Equal(DeploymentRole.Traditional, deployment.Role);
        Assert.Equal(ConfigProvider.Sqlite, deployment.ConfigProvider);
        Assert.Equal(Path.GetFullPath("data/mirrorgate.db"), deployment.SqlitePath);

        var etcd = deployment.Etcd;
        Assert.Equal([new Uri("http://127.0.0.1:2379")], etcd.Hosts);
        Assert.Equal("/apisix", etcd.Prefix);
        Assert.Equal(TimeSpan.FromSeconds(30), etcd.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(50), etcd.WatchTimeout);
        Assert.Equal(2, etcd.StartupRetry);
        Assert.Null(etcd.User);
        Assert.Null(etcd.Password);
        Assert.Null(etcd.Tls);

        var admin = deployment.Admin;
        Assert.Equal([new AdminKeyConfig("admin", "", AdminRole.Admin)], admin.Keys);
        Assert.True(admin.KeyRequired);
        Assert.Equal(new ListenAddress("127.0.0.1", 9180), admin.Listen);
        Assert.Equal([IPNetwork.Parse("127.0.0.0/24"), IPNetwork.Parse("::1/128")], admin.AllowAdmin);
    }

    [Fact]
    public void LoadFromText_Yaml11Booleans_ReadAsApisixReadsThem()
    {
        var (config, _) = Load("""
            apisix:
              node_listen:
                - ip: 127.0.0.2
                  port: 9082
                  enable_http2: on
              enable_admin: Yes
            deployment:
              admin:
                admin_key_required: no
                admin_key: ~
            """);

        Assert.Equal([new ListenEndpoint("127.0.0.2", 9082, true)], config.NodeListen);
        Assert.True(config.EnableAdmin);
        Assert.False(config.Deployment.Admin.KeyRequired);
    }

    [Fact]
    public void LoadFromText_QuotedYes_StaysStringAndIsRefused() =>
        Assert.Contains("deployment.admin.admin_key_required", Error("deployment: {admin: {admin_key_required: \"no\"}}"));

    [Fact]
    public void LoadFromText_EveryKey_IsRead()
    {
        var (config, warnings) = Load("""
            apisix:
              node_listen:
                - 9080
                - ip: 127.0.0.2
                  port: 9082
                  enable_http2: true
              enable_admin: false
            deployment:
              role: traditional
              role_traditional:
                config_provider: etcd
              sqlite:
                path: /var/lib/mg/store.db
              etcd:
                host: ["http://10.0.0.1:2379", "https://10.0.0.2:2379"]
                prefix: /gw/
                timeout: 5
                watch_timeout: 20
                user: root
                password: "s3cret"
                startup_retry: 7
                tls:
                  cert: /certs/c.crt
                  key: /certs/c.key
                  verify: false
              admin:
                admin_key:
                  - name: boss
                    key: "edd1c9f034335f136f87ad84b625c8f1"
                    role: admin
                  - name: reader
                    key: "4054f7cf07e344346cd3f287985e76a2"
                    role: viewer
                admin_key_required: true
                admin_listen: {ip: 0.0.0.0, port: 19180}
                allow_admin: [10.0.0.0/8, "::1", 192.168.1.7]
                admin_api_version: v3
            plugins: [proxy-mirror, prometheus]
            plugin_attr:
              proxy-mirror:
                timeout: {connect: 2000ms}
              prometheus:
                export_addr: {ip: 0.0.0.0, port: 19091}
                metric_prefix: mg_
            """);

        Assert.Empty(warnings);
        Assert.Equal([new ListenEndpoint("0.0.0.0", 9080, false), new ListenEndpoint("127.0.0.2", 9082, true)], config.NodeListen);
        Assert.False(config.EnableAdmin);
        Assert.Equal(ConfigProvider.Etcd, config.Deployment.ConfigProvider);
        Assert.Equal("/var/lib/mg/store.db", config.Deployment.SqlitePath);

        var etcd = config.Deployment.Etcd;
        Assert.Equal([new Uri("http://10.0.0.1:2379"), new Uri("https://10.0.0.2:2379")], etcd.Hosts);
        Assert.Equal("/gw", etcd.Prefix);
        Assert.Equal(TimeSpan.FromSeconds(5), etcd.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(20), etcd.WatchTimeout);
        Assert.Equal(("root", "s3cret", 7), (etcd.User, etcd.Password, etcd.StartupRetry));
        Assert.Equal(new EtcdTlsConfig("/certs/c.crt", "/certs/c.key", false), etcd.Tls);

        var admin = config.Deployment.Admin;
        Assert.Equal(
            [new AdminKeyConfig("boss", "edd1c9f034335f136f87ad84b625c8f1", AdminRole.Admin), new AdminKeyConfig("reader", "4054f7cf07e344346cd3f287985e76a2", AdminRole.Viewer)],
            admin.Keys);
        Assert.Equal(new ListenAddress("0.0.0.0", 19180), admin.Listen);
        Assert.Equal([IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("::1/128"), IPNetwork.Parse("192.168.1.7/32")], admin.AllowAdmin);

        Assert.Equal(["proxy-mirror", "prometheus"], config.Plugins);
        Assert.True(config.IsPluginEnabled("prometheus"));
        Assert.False(config.IsPluginEnabled("limit-count"));
        Assert.Equal("2000ms", (string?)config.PluginAttr["proxy-mirror"]!["timeout"]!["connect"]);
        Assert.Equal(new ListenAddress("0.0.0.0", 19091), config.PrometheusExportAddr);
    }

    [Fact]
    public void LoadFromText_ApisixKeysNotUsed_WarnWithFullPath()
    {
        var (_, warnings) = Load("""
            apisix:
              enable_ipv6: true
              ssl: {enable: true, listen: [{port: 9443}]}
            deployment:
              admin:
                enable_admin_cors: true
              etcd:
                tls: {verify: true, sni: x}
            nginx_config:
              worker_processes: auto
              http:
                keepalive_timeout: 60s
                lua_shared_dict: {my-dict: 1m}
            graphql: {max_size: 1048576}
            plugin_attr:
              any-plugin: {whatever: 1}
            """);

        Assert.Equal(
            [
                "APISIX key 'apisix.enable_ipv6' in config.yaml is not used by MirrorGate, ignored",
                "APISIX key 'apisix.ssl' in config.yaml is not used by MirrorGate, ignored",
                "APISIX key 'nginx_config.http.keepalive_timeout' in config.yaml is not used by MirrorGate, ignored",
                "APISIX key 'nginx_config.http.lua_shared_dict' in config.yaml is not used by MirrorGate, ignored",
                "APISIX key 'nginx_config.worker_processes' in config.yaml is not used by MirrorGate, ignored",
                "APISIX key 'deployment.etcd.tls.sni' in config.yaml is not used by MirrorGate, ignored",
                "APISIX key 'deployment.admin.enable_admin_cors' in config.yaml is not used by MirrorGate, ignored",
                "APISIX key 'graphql' in config.yaml is not used by MirrorGate, ignored",
            ],
            warnings);
    }

    [Theory]
    [InlineData("apisix: {node_lisen: [19080]}", "config.yaml: apisix.node_lisen: unknown key, did you mean 'node_listen'?")]
    [InlineData("node_lisen: [19080]", "config.yaml: node_lisen: unknown key, did you mean 'apisix.node_listen'?")]
    [InlineData("node_listen: [19080]", "config.yaml: node_listen: unknown key, did you mean 'apisix.node_listen'?")]
    [InlineData("apisix: {node_listen: [{port: 9080, bar: 2}]}", "config.yaml: apisix.node_listen[0].bar: unknown key (neither")]
    [InlineData("deployment: {admin: {admin_listen: {prot: 9180}}}", "config.yaml: deployment.admin.admin_listen.prot: unknown key, did you mean 'port'?")]
    [InlineData("deployment: {role_traditional: {config_provder: etcd}}", "config.yaml: deployment.role_traditional.config_provder: unknown key, did you mean 'config_provider'?")]
    [InlineData("deployment: {etcd: {hosts: [\"http://127.0.0.1:2379\"]}}", "config.yaml: deployment.etcd.hosts: unknown key, did you mean 'host'?")]
    [InlineData("nginx_config: {error_log_levl: info}", "config.yaml: nginx_config.error_log_levl: unknown key, did you mean 'error_log_level'?")]
    [InlineData("nginx_config: {http: {acess_log: logs/a.log}}", "config.yaml: nginx_config.http.acess_log: unknown key, did you mean 'access_log'?")]
    [InlineData("plugin_attr: {proxy-mirror: {max_body_sise: 1m}}", "config.yaml: plugin_attr.proxy-mirror.max_body_sise: unknown key, did you mean 'max_body_size'?")]
    [InlineData("plugin_attr: {proxy-mirror: {timeout: {conect: 1s}}}", "config.yaml: plugin_attr.proxy-mirror.timeout.conect: unknown key, did you mean 'connect'?")]
    [InlineData("plugin_attr: {prometheus: {export_addr: {prot: 1}}}", "config.yaml: plugin_attr.prometheus.export_addr.prot: unknown key, did you mean 'port'?")]
    [InlineData("zzz_nothing_like_it: 1", "config.yaml: zzz_nothing_like_it: unknown key (neither MirrorGate nor APISIX has it")]
    public void LoadFromText_UnknownKey_ErrorNamesKeyFileAndClosestKnownKey(string yaml, string expected)
    {
        Assert.StartsWith(expected, Error(yaml), StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFromText_SeveralUnknownKeys_OneErrorNamingEach()
    {
        var message = Error("apisix: {node_lisen: 1, enable_admn: true}");

        Assert.Equal(
            "config.yaml: apisix.node_lisen: unknown keys 'apisix.node_lisen', did you mean 'node_listen'?, 'apisix.enable_admn', did you mean 'enable_admin'? (neither MirrorGate nor APISIX has them; see docs/configuration.md)",
            message);
    }

    [Fact]
    public void LoadFromText_EveryKeyOfApisixDefaultConfig_LoadsWithWarningsOnly()
    {
        // APISIX's config-default (apisix/cli/config.lua), trimmed to one item per list.
        var (config, warnings) = Load("""
            apisix:
              node_listen: [9080]
              enable_admin: true
              enable_dev_mode: false
              enable_reuseport: true
              show_upstream_status_in_response_header: false
              enable_ipv6: true
              enable_http2: true
              enable_server_tokens: true
              extra_lua_path: ""
              extra_lua_cpath: ""
              proxy_cache: {cache_ttl: 10s, zones: [{name: memory_cache, memory_size: 50m}]}
              delete_uri_tail_slash: false
              normalize_uri_like_servlet: false
              router: {http: radixtree_host_uri, ssl: radixtree_sni}
              proxy_mode: http
              resolver_timeout: 5
              enable_resolv_search_opt: true
              ssl: {enable: true, listen: [{port: 9443, enable_http3: false}]}
              enable_control: true
              disable_sync_configuration_during_start: false
              data_encryption: {enable_encrypt_fields: true, keyring: [qeddd145sfvddff3]}
            nginx_config:
              error_log: logs/error.log
              error_log_level: warn
              worker_processes: auto
              enable_cpu_affinity: false
              worker_rlimit_nofile: 20480
              event: {worker_connections: 10620}
              meta: {lua_shared_dict: {prometheus-metrics: 15m}}
              stream: {enable_access_log: false}
              main_configuration_snippet: ""
              http_configuration_snippet: ""
              http:
                enable_access_log: true
                access_log: logs/access.log
                access_log_format_escape: default
                keepalive_timeout: 60s
                client_max_body_size: 0
                real_ip_from: [127.0.0.1]
                upstream: {keepalive: 320}
                charset: utf-8
                lua_shared_dict: {internal-status: 10m}
            graphql: {max_size: 1048576}
            plugins: [proxy-mirror, prometheus]
            stream_plugins: [ip-restriction]
            plugin_attr:
              log-rotate: {interval: 3600}
              prometheus: {export_uri: /apisix/prometheus/metrics, export_addr: {ip: 127.0.0.1, port: 9091}}
              proxy-mirror: {timeout: {connect: 60s, read: 60s, send: 60s}}
            deployment:
              role: traditional
              role_traditional: {config_provider: etcd}
              admin:
                admin_key_required: true
                admin_key: [{name: admin, key: edd1c9f034335f136f87ad84b625c8f1, role: admin}]
                enable_admin_cors: true
                allow_admin: [127.0.0.0/24]
                admin_listen: {ip: 0.0.0.0, port: 9180}
                admin_api_version: v3
              etcd:
                host: ["http://127.0.0.1:2379"]
                prefix: /apisix
                timeout: 30
                watch_timeout: 50
                startup_retry: 2
                tls: {verify: true}
            """);

        Assert.Equal(ConfigProvider.Etcd, config.Deployment.ConfigProvider);
        Assert.All(warnings, w => Assert.Contains("is not used by MirrorGate, ignored", w, StringComparison.Ordinal));
        Assert.Contains("APISIX key 'apisix.proxy_cache' in config.yaml is not used by MirrorGate, ignored", warnings);
    }

    [Fact]
    public void LoadFromText_EtcdGivenWithoutConfigProvider_EtcdAsApisix()
    {
        var (config, _) = Load("deployment: {role: traditional, etcd: {host: [\"http://etcd:2379\"], prefix: /apisix}}");

        Assert.Equal(ConfigProvider.Etcd, config.Deployment.ConfigProvider);
        Assert.Equal("deployment.etcd is set and deployment.role_traditional.config_provider is not; etcd is APISIX's default", config.Deployment.ConfigProviderReason);
    }

    [Theory]
    [InlineData("", "Sqlite", "neither deployment.role_traditional.config_provider nor deployment.etcd is set; the embedded store is MirrorGate's default")]
    [InlineData("deployment: {role_traditional: {config_provider: sqlite}, etcd: {host: [\"http://etcd:2379\"]}}", "Sqlite", "deployment.role_traditional.config_provider: sqlite")]
    [InlineData("deployment: {role_traditional: {config_provider: etcd}}", "Etcd", "deployment.role_traditional.config_provider: etcd")]
    public void LoadFromText_ConfigProvider_ChosenAndWhy(string yaml, string provider, string reason)
    {
        var (config, _) = Load(yaml);

        Assert.Equal(provider, config.Deployment.ConfigProvider.ToString());
        Assert.Equal(reason, config.Deployment.ConfigProviderReason);
    }

    [Theory]
    [InlineData("deployment: {admin: {admin_listen: {port: abc}}}", "deployment.admin.admin_listen.port: expected an integer between 1 and 65535, got \"abc\"")]
    [InlineData("deployment: {admin: {admin_listen: {port: 70000}}}", "deployment.admin.admin_listen.port: expected an integer between 1 and 65535, got 70000")]
    [InlineData("deployment: {admin: {admin_listen: {ip: localhost}}}", "deployment.admin.admin_listen.ip: expected an IP address such as 127.0.0.1 or ::1, got \"localhost\"")]
    [InlineData("deployment: {admin: {admin_listen: 9180}}", "deployment.admin.admin_listen: expected a mapping, got 9180")]
    [InlineData("apisix: {enable_admin: \"yes\"}", "apisix.enable_admin: expected true or false, got \"yes\"")]
    [InlineData("apisix: {node_listen: [0]}", "apisix.node_listen[0]: expected an integer between 1 and 65535, got 0")]
    [InlineData("apisix: {node_listen: [\"9080\"]}", "apisix.node_listen[0]: expected a port or a mapping {ip, port, enable_http2}, got \"9080\"")]
    [InlineData("apisix: {node_listen: [{ip: 1.2.3.4}]}", "apisix.node_listen[0].port: required")]
    [InlineData("apisix: {node_listen: [{port: 80, enable_http2: 1}]}", "apisix.node_listen[0].enable_http2: expected true or false, got 1")]
    [InlineData("apisix: {node_listen: []}", "apisix.node_listen: expected at least one listener, got a list")]
    [InlineData("apisix: {node_listen: [9080, 9080]}", "apisix.node_listen[1]: duplicate listener 0.0.0.0:9080")]
    [InlineData("deployment: {role: data_plane}", "deployment.role: only \"traditional\" is supported for now, got \"data_plane\"")]
    [InlineData("deployment: {role: standalone}", "deployment.role: expected \"traditional\", got \"standalone\"")]
    [InlineData("deployment: {role_traditional: {config_provider: yaml}}", "deployment.role_traditional.config_provider: expected \"sqlite\" or \"etcd\", got \"yaml\"")]
    [InlineData("deployment: {sqlite: {path: \"\"}}", "deployment.sqlite.path: expected a file path")]
    [InlineData("deployment: {etcd: {host: [\"127.0.0.1:2379\"]}}", "deployment.etcd.host[0]: expected an http:// or https:// URL")]
    [InlineData("deployment: {etcd: {host: []}}", "deployment.etcd.host: expected at least one etcd URL")]
    [InlineData("deployment: {etcd: {prefix: apisix}}", "deployment.etcd.prefix: expected a key prefix starting with /")]
    [InlineData("deployment: {etcd: {timeout: 0}}", "deployment.etcd.timeout: expected an integer between 1 and 3600, got 0")]
    [InlineData("deployment: {etcd: {timeout: 1.5}}", "deployment.etcd.timeout: expected an integer between 1 and 3600, got 1.5")]
    [InlineData("deployment: {etcd: {password: 1234}}", "deployment.etcd.password: expected a string (quote it if it looks like a number), got 1234")]
    [InlineData("deployment: {etcd: {tls: {cert: /a.crt}}}", "deployment.etcd.tls.key: cert and key must be given together")]
    [InlineData("deployment: {admin: {admin_key: [{name: a, key: k, role: root}]}}", "deployment.admin.admin_key[0].role: expected \"admin\" or \"viewer\", got \"root\"")]
    [InlineData("deployment: {admin: {admin_key: [{name: a, key: k}]}}", "deployment.admin.admin_key[0].role: required")]
    [InlineData("deployment: {admin: {admin_key: [{key: k, role: admin}]}}", "deployment.admin.admin_key[0].name: required")]
    [InlineData("deployment: {admin: {admin_key: [{name: v, key: \"\", role: viewer}]}}", "deployment.admin.admin_key[0].key: a viewer key cannot be empty")]
    [InlineData("deployment: {admin: {admin_key: [{name: a, key: x, role: admin}, {name: a, key: y, role: admin}]}}", "deployment.admin.admin_key[1].name: duplicate key name")]
    [InlineData("deployment: {admin: {admin_key: [{name: a, key: 123, role: admin}]}}", "deployment.admin.admin_key[0].key: expected a string")]
    [InlineData("deployment: {admin: {admin_key: []}}", "deployment.admin.admin_key: at least one key is required while admin_key_required is true")]
    [InlineData("deployment: {admin: {admin_key: ~}}", "deployment.admin.admin_key: at least one key is required")]
    [InlineData("deployment: {admin: {allow_admin: [10.0.0.0/33]}}", "deployment.admin.allow_admin[0]: expected an IP address or CIDR such as 127.0.0.0/24, got \"10.0.0.0/33\"")]
    [InlineData("deployment: {admin: {admin_api_version: v2}}", "deployment.admin.admin_api_version: only \"v3\" is supported")]
    [InlineData("plugins: proxy-mirror", "plugins: expected a list of plugin names, got \"proxy-mirror\"")]
    [InlineData("plugins: [proxy-mirror, 3]", "plugins[1]: expected a string")]
    [InlineData("plugins: [\"\"]", "plugins[0]: expected a plugin name")]
    [InlineData("plugin_attr: [a]", "plugin_attr: expected a mapping of plugin names to settings, got a list")]
    [InlineData("plugin_attr: {prometheus: {export_addr: {port: -1}}}", "plugin_attr.prometheus.export_addr.port: expected an integer between 1 and 65535, got -1")]
    [InlineData("plugin_attr: {prometheus: 1}", "plugin_attr.prometheus: expected a mapping, got 1")]
    [InlineData("apisix: [1]", "apisix: expected a mapping, got a list")]
    [InlineData("apisix: {id: \"gateway 1\"}", "apisix.id: expected 1 to 128 visible ASCII characters without spaces, got \"gateway 1\"")]
    [InlineData("apisix: {id: \"\"}", "apisix.id: expected 1 to 128 visible ASCII characters without spaces, got \"\"")]
    [InlineData("apisix: {id: \"a\\r\\nX: 1\"}", "apisix.id: expected 1 to 128 visible ASCII characters without spaces")]
    [InlineData("apisix: {id: 7}", "apisix.id: expected a string")]
    public void LoadFromText_InvalidValue_ThrowsNamingKey(string yaml, string expected)
    {
        var message = Error(yaml);

        Assert.StartsWith("config.yaml: ", message);
        Assert.Contains(expected, message);
    }

    [Fact]
    public void LoadFromText_ApisixId_Read()
    {
        Assert.Equal("gateway-eu-1", Load("apisix: {id: gateway-eu-1}").Config.Id);
        Assert.Null(Load("").Config.Id);
    }

    [Fact]
    public void LoadFromText_InvalidValue_ExceptionCarriesKeyPath()
    {
        var ex = Assert.Throws<ConfigException>(() => Load("deployment: {admin: {admin_listen: {port: abc}}}"));

        Assert.Equal("deployment.admin.admin_listen.port", ex.KeyPath);
        Assert.Equal("config.yaml: deployment.admin.admin_listen.port: expected an integer between 1 and 65535, got \"abc\"", ex.Message);
    }

    [Theory]
    [InlineData("node_listen: 9081", "0.0.0.0", 9081, false)]
    [InlineData("node_listen: [9081]", "0.0.0.0", 9081, false)]
    [InlineData("node_listen: {port: 9081}", "0.0.0.0", 9081, false)]
    [InlineData("node_listen: [{port: 9081, enable_http2: true}]", "0.0.0.0", 9081, true)]
    [InlineData("node_listen: [{ip: 127.0.0.1, port: 9081}]", "127.0.0.1", 9081, false)]
    [InlineData("node_listen: [{ip: \"[::1]\", port: 9081}]", "::1", 9081, false)]
    [InlineData("node_listen: [{ip: \"::\", port: 9081}]", "::", 9081, false)]
    public void LoadFromText_NodeListenForms_ParseToEndpoints(string yaml, string ip, int port, bool http2)
    {
        var (config, _) = Load($"apisix:\n  {yaml}\n");

        var endpoint = Assert.Single(config.NodeListen);
        Assert.Equal(new ListenEndpoint(ip, port, http2), endpoint);
        Assert.Equal(new IPEndPoint(IPAddress.Parse(ip), port), endpoint.ToIPEndPoint());
    }

    [Fact]
    public void LoadFromText_NodeListenMixedList_KeepsOrder()
    {
        var (config, _) = Load("apisix:\n  node_listen: [9080, {ip: 127.0.0.1, port: 9080}, 9443]\n");

        Assert.Equal([9080, 9080, 9443], config.NodeListen.Select(e => e.Port));
        Assert.Equal("127.0.0.1", config.NodeListen[1].Ip);
    }

    [Fact]
    public void LoadFromText_AllowAdminHostBits_AreMasked()
    {
        var (config, _) = Load("deployment: {admin: {allow_admin: [127.0.0.1/24, \"fe80::1/64\"]}}");

        Assert.Equal([IPNetwork.Parse("127.0.0.0/24"), IPNetwork.Parse("fe80::/64")], config.Deployment.Admin.AllowAdmin);
    }

    [Fact]
    public void LoadFromText_AllowAdminNull_AllowsAllWithWarning()
    {
        var (config, warnings) = Load("deployment: {admin: {allow_admin: ~}}");

        Assert.Null(config.Deployment.Admin.AllowAdmin);
        Assert.Contains(warnings, w => w.Contains("deployment.admin.allow_admin", StringComparison.Ordinal) && w.Contains("any address", StringComparison.Ordinal));
    }

    [Fact]
    public void LoadFromText_AllowAdminEmpty_AllowsNobodyWithWarning()
    {
        var (config, warnings) = Load("deployment: {admin: {allow_admin: []}}");

        Assert.Empty(config.Deployment.Admin.AllowAdmin!);
        Assert.Contains(warnings, w => w.Contains("deployment.admin.allow_admin", StringComparison.Ordinal) && w.Contains("refuses every client", StringComparison.Ordinal));
    }

    [Fact]
    public void LoadFromText_NoKeysAndNotRequired_IsAccepted()
    {
        var (config, _) = Load("deployment: {admin: {admin_key: [], admin_key_required: false}}");

        Assert.Empty(config.Deployment.Admin.Keys);
        Assert.False(config.Deployment.Admin.KeyRequired);
    }

    [Fact]
    public void LoadFromText_EtcdHostAsString_IsOneHost()
    {
        var (config, _) = Load("deployment: {etcd: {host: \"http://etcd:2379\"}}");

        Assert.Equal([new Uri("http://etcd:2379")], config.Deployment.Etcd.Hosts);
    }

    [Fact]
    public void LoadFromText_RelativePaths_ResolveAgainstWorkingDirectory()
    {
        var (config, _) = Load("deployment: {sqlite: {path: var/x.db}, etcd: {tls: {cert: c.crt, key: c.key}}}");

        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "var", "x.db"), config.Deployment.SqlitePath);
        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "c.crt"), config.Deployment.Etcd.Tls!.Cert);
    }

    [Fact]
    public void LoadFromText_PluginsNullOrDuplicated_NullOrDistinct()
    {
        Assert.Null(Load("plugins: ~").Config.Plugins);
        Assert.Empty(Load("plugins: []").Config.Plugins!);
        Assert.Equal(["a", "b"], Load("plugins: [a, b, a]").Config.Plugins);
    }

    [Fact]
    public void LoadFromText_PluginAttr_KeepsYamlTypesAsJson()
    {
        var (config, _) = Load("""
            plugin_attr:
              example-plugin:
                timeout:
                  connect: 2000ms
                  read: 2
                max_body_size: 10m
                queue_size: 4096
                ratio: 0.5
                verify_tls: false
                quoted: "4096"
                nothing: ~
            """);

        Assert.Equal(
            """{"example-plugin":{"timeout":{"connect":"2000ms","read":2},"max_body_size":"10m","queue_size":4096,"ratio":0.5,"verify_tls":false,"quoted":"4096","nothing":null}}""",
            config.PluginAttr.ToJsonString());
        Assert.Null(config.PluginAttr.Parent);
    }

    [Fact]
    public void GetPluginAttr_Section_ReturnsPrivateCopy()
    {
        var (config, _) = Load("plugin_attr: {proxy-mirror: {queue_size: 10}, odd: 3}");

        var copy = config.GetPluginAttr("proxy-mirror")!;
        copy["queue_size"] = 1;

        Assert.Equal(10, (int)config.PluginAttr["proxy-mirror"]!["queue_size"]!);
        Assert.Null(copy.Parent);
        Assert.Null(config.GetPluginAttr("absent"));
        Assert.Null(config.GetPluginAttr("odd"));
    }

    [Fact]
    public void ToString_Secrets_AreRedacted()
    {
        var (config, _) = Load("deployment: {etcd: {password: \"hunter2\"}, admin: {admin_key: [{name: a, key: \"topsecret\", role: admin}]}}");

        Assert.DoesNotContain("hunter2", config.Deployment.Etcd.ToString());
        Assert.DoesNotContain("topsecret", config.Deployment.Admin.Keys[0].ToString());
        Assert.DoesNotContain("topsecret", config.ToString());
    }

    [Fact]
    public void Load_MissingFile_NamesFullPath()
    {
        var path = Path.Combine(Path.GetTempPath(), "mirrorgate-missing-" + Guid.NewGuid().ToString("N"), "config.yaml");

        var ex = Assert.Throws<ConfigException>(() => NodeConfigLoader.Load(path));

        Assert.Contains($"config file not found: {path}", ex.Message);
    }

    [Fact]
    public void Load_RelativePath_ResolvesAndSetsSource()
    {
        var directory = Path.Combine(Environment.CurrentDirectory, "cfg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            File.WriteAllText(Path.Combine(directory, "config.yaml"), "apisix: {node_listen: [9999]}\n");

            var (config, _) = NodeConfigLoader.Load(Path.Combine(Path.GetFileName(directory), "config.yaml"));

            Assert.Equal(Path.Combine(directory, "config.yaml"), config.Source);
            Assert.Equal(9999, config.NodeListen[0].Port);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
