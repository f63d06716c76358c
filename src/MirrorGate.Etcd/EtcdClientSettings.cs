using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using dotnet_etcd;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using MirrorGate.Configuration;

namespace MirrorGate.Etcd;

/// <summary>
/// How the gRPC client reaches etcd, derived from <c>deployment.etcd</c>: endpoints, TLS (client
/// certificate, server verification), user/password. Kept apart from the client so tests can
/// check that each setting reaches it.
/// </summary>
internal sealed record EtcdClientSettings(
    IReadOnlyList<Uri> Endpoints,
    bool UseTls,
    string? ClientCertificatePath,
    string? ClientKeyPath,
    bool VerifyServerCertificate,
    string? User,
    string? Password)
{
    /// <summary>"http://a:2379, http://b:2379": how messages name the cluster.</summary>
    public string EndpointList => string.Join(", ", Endpoints.Select(e => e.GetLeftPart(UriPartial.Authority)));

    public static EtcdClientSettings From(EtcdConfig config) => new(
        config.Hosts,
        UseTls: config.Hosts.Any(h => h.Scheme == Uri.UriSchemeHttps),
        config.Tls?.Cert,
        config.Tls?.Key,
        VerifyServerCertificate: config.Tls?.Verify ?? true,
        string.IsNullOrEmpty(config.User) ? null : config.User,
        string.IsNullOrEmpty(config.User) ? null : config.Password);

    public EtcdClient CreateClient()
    {
        var connectionString = string.Join(",", Endpoints.Select(e => $"{e.Scheme}://{e.Host}:{e.Port}"));
        // The channel's authority; with TLS it is also the name checked against the server's certificate.
        var serverName = Endpoints[0].Host;
        var client = UseTls
            ? new EtcdClient(connectionString, ConfigureSsl, Endpoints[0].Port, serverName, ConfigureChannel)
            : new EtcdClient(connectionString, Endpoints[0].Port, serverName, ConfigureChannel);
        if (User is not null)
        {
            client.SetCredentials(User, Password ?? "");
        }

        return client;
    }

    /// <summary>TLS options: the client certificate when configured, and no verification when <c>verify: false</c>.</summary>
    public void ConfigureSsl(SslClientAuthenticationOptions options)
    {
        if (ClientCertificatePath is not null && ClientKeyPath is not null)
        {
            options.ClientCertificates = [X509Certificate2.CreateFromPemFile(ClientCertificatePath, ClientKeyPath)];
        }

        if (!VerifyServerCertificate)
        {
            options.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }
    }

    /// <summary>
    /// Channel options: no transparent retries (the store reports an outage at once and retries on
    /// its own terms), a short reconnect back-off so the watch resumes soon after etcd returns, and
    /// no cap on response size (a full read of 10,000 routes is several megabytes).
    /// </summary>
    public static void ConfigureChannel(GrpcChannelOptions options)
    {
        options.ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } };
        options.MaxReceiveMessageSize = null;
        options.InitialReconnectBackoff = TimeSpan.FromMilliseconds(100);
        options.MaxReconnectBackoff = TimeSpan.FromSeconds(5);
    }

    // The password must never reach a log line.
    public override string ToString() =>
        $"EtcdClientSettings {{ Endpoints = [{EndpointList}], UseTls = {UseTls}, ClientCertificate = {ClientCertificatePath ?? "(none)"}, VerifyServerCertificate = {VerifyServerCertificate}, User = {User ?? "(none)"}, Password = {(Password is null ? "(none)" : "***")} }}";
}
