using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Etcdserverpb;
using MirrorGate.Configuration;
using MirrorGate.Etcd;
using MirrorGate.FunctionalTests.Infrastructure;
using MirrorGate.Resources;
using MirrorGate.Stores;

namespace MirrorGate.FunctionalTests.Etcd;

/// <summary>deployment.etcd user/password and tls reach the client; user/password against an etcd with auth enabled.</summary>
public sealed class EtcdSecurityTests
{
    private const string Route = """{"id":"1","uri":"/a","upstream":{"type":"roundrobin","nodes":{"127.0.0.1:1980":1}}}""";

    [Fact]
    public async Task Store_EtcdWithAuthEnabled_RightPasswordWorksWrongOneFailsAtStartup()
    {
        await using var etcd = await EtcdServer.StartAsync();
        using (var admin = etcd.CreateClient())
        {
            // A gateway user allowed only under /apisix/, and the root user etcd requires before enabling auth.
            await admin.UserAddAsync(new AuthUserAddRequest { Name = "root", Password = "root-secret" });
            await admin.RoleAddAsync(new AuthRoleAddRequest { Name = "root" });
            await admin.UserGrantRoleAsync(new AuthUserGrantRoleRequest { User = "root", Role = "root" });
            await admin.RoleAddAsync(new AuthRoleAddRequest { Name = "gateway" });
            await admin.RoleGrantPermissionAsync(new AuthRoleGrantPermissionRequest
            {
                Name = "gateway",
                Perm = new Authpb.Permission
                {
                    PermType = Authpb.Permission.Types.Type.Readwrite,
                    Key = Google.Protobuf.ByteString.CopyFromUtf8("/apisix/"),
                    RangeEnd = EtcdKeyLayout.RangeEnd("/apisix/"),
                },
            });
            await admin.UserAddAsync(new AuthUserAddRequest { Name = "gw", Password = "gw-secret" });
            await admin.UserGrantRoleAsync(new AuthUserGrantRoleRequest { User = "gw", Role = "gateway" });
            await admin.AuthEnableAsync(new AuthEnableRequest());
        }

        var logs = new CapturedLogs();
        var baseConfig = EtcdTestStores.Config(etcd, timeoutSeconds: 3, startupRetry: 1);
        await using var good = EtcdTestStores.Create(baseConfig with { User = "gw", Password = "gw-secret" }, logs);
        await good.InitializeAsync(CancellationToken.None);
        var put = await good.PutAsync(ResourceKind.Route, "1", Route, null, CancellationToken.None);
        var loaded = await good.LoadAllAsync(CancellationToken.None);

        await using var wrong = EtcdTestStores.Create(baseConfig with { User = "gw", Password = "not-it" }, logs);
        var wrongFailure = await Assert.ThrowsAnyAsync<Exception>(() => wrong.InitializeAsync(CancellationToken.None));
        await using var anonymous = EtcdTestStores.Create(baseConfig, logs);
        var anonymousFailure = await Assert.ThrowsAnyAsync<Exception>(() => anonymous.InitializeAsync(CancellationToken.None));

        Assert.True(put.Created);
        Assert.Equal("1", Assert.Single(loaded.Items).Id);
        Assert.IsType<StoreUnavailableException>(wrongFailure);
        Assert.Contains(etcd.ClientUrl, wrongFailure.Message, StringComparison.Ordinal);
        Assert.Contains("refused the credentials", wrongFailure.Message, StringComparison.Ordinal);
        Assert.IsType<StoreUnavailableException>(anonymousFailure);
        Assert.Contains(etcd.ClientUrl, anonymousFailure.Message, StringComparison.Ordinal);
        // Not retried for the whole start-up budget: waiting does not fix credentials.
        Assert.Contains("rejected the gateway", anonymousFailure.Message, StringComparison.Ordinal);
        Assert.Contains("rejected the gateway", wrongFailure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ClientSettings_TlsAndCredentialsConfigured_ReachTheClient()
    {
        var directory = Path.Combine(Path.GetTempPath(), "mirrorgate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=gateway-client", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
            var certPath = Path.Combine(directory, "client.crt");
            var keyPath = Path.Combine(directory, "client.key");
            File.WriteAllText(certPath, certificate.ExportCertificatePem());
            File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
            var config = new EtcdConfig(
                [new Uri("https://etcd-a.example:2379"), new Uri("https://etcd-b.example:2379")],
                "/apisix", TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(50), "gw", "gw-secret",
                new EtcdTlsConfig(certPath, keyPath, Verify: false), 2);

            var settings = EtcdClientSettings.From(config);
            var ssl = new SslClientAuthenticationOptions();
            settings.ConfigureSsl(ssl);

            Assert.True(settings.UseTls);
            Assert.Equal("https://etcd-a.example:2379, https://etcd-b.example:2379", settings.EndpointList);
            Assert.Equal(("gw", "gw-secret"), (settings.User, settings.Password));
            var sent = Assert.IsType<X509Certificate2>(Assert.Single(ssl.ClientCertificates!.Cast<X509Certificate>()));
            Assert.Equal(certificate.Thumbprint, sent.Thumbprint);
            Assert.True(sent.HasPrivateKey);
            Assert.NotNull(ssl.RemoteCertificateValidationCallback);
            Assert.True(ssl.RemoteCertificateValidationCallback!(this, null, null, SslPolicyErrors.RemoteCertificateNameMismatch));
            Assert.DoesNotContain("gw-secret", settings.ToString(), StringComparison.Ordinal);
            // The client itself is built from them without contacting anyone.
            using var client = settings.CreateClient();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void ClientSettings_PlainHttpVerifyDefault_NoTlsAndServerCertificateChecked()
    {
        var config = new EtcdConfig([new Uri("http://127.0.0.1:2379")], "/apisix", TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(50), null, null, null, 2);
        var settings = EtcdClientSettings.From(config);
        var ssl = new SslClientAuthenticationOptions();
        settings.ConfigureSsl(ssl);

        Assert.False(settings.UseTls);
        Assert.Null(settings.User);
        Assert.Null(ssl.RemoteCertificateValidationCallback);
        Assert.Null(ssl.ClientCertificates);
    }
}
