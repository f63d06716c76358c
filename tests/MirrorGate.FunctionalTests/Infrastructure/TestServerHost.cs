using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace MirrorGate.FunctionalTests.Infrastructure;

/// <summary>
/// A real Kestrel server on a free 127.0.0.1 port for the servers tests start (upstreams, mirrors,
/// gRPC and WebSocket servers): no logging, no body-size limit, retried when the port was taken
/// between picking and binding it.
/// </summary>
internal sealed class TestServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private static readonly Lazy<X509Certificate2> SelfSigned = new(CreateSelfSigned);

    private TestServerHost(WebApplication app, int port, bool https)
    {
        _app = app;
        Port = port;
        Https = https;
    }

    public int Port { get; }

    /// <summary>Whether the server speaks TLS (with <see cref="SelfSignedCertificate"/>).</summary>
    public bool Https { get; }

    public string Address => $"127.0.0.1:{Port}";

    public string Url => $"{(Https ? "https" : "http")}://127.0.0.1:{Port}";

    /// <summary>The certificate TLS test servers present: self-signed for CN=localhost and 127.0.0.1, so no client trusts it unless told to.</summary>
    public static X509Certificate2 SelfSignedCertificate => SelfSigned.Value;

    /// <param name="configureServices">Adds services before the app is built (e.g. gRPC).</param>
    /// <param name="configure">Maps the app's handlers.</param>
    /// <param name="https">Listens with TLS, presenting <see cref="SelfSignedCertificate"/>.</param>
    public static async Task<TestServerHost> StartAsync(HttpProtocols protocols, Action<WebApplication> configure, Action<WebApplicationBuilder>? configureServices = null, bool https = false)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort.Next();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            configureServices?.Invoke(builder);
            builder.WebHost.ConfigureKestrel(k =>
            {
                k.Limits.MaxRequestBodySize = null;
                k.Limits.MinRequestBodyDataRate = null;
                k.Listen(System.Net.IPAddress.Loopback, port, o =>
                {
                    o.Protocols = protocols;
                    if (https)
                    {
                        o.UseHttps(SelfSignedCertificate);
                    }
                });
            });
            var app = builder.Build();
            configure(app);
            try
            {
                await app.StartAsync();
                return new TestServerHost(app, port, https);
            }
            catch (IOException) when (attempt < 3)
            {
                await app.DisposeAsync();
            }
        }
    }

    private static X509Certificate2 CreateSelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

        // Through PKCS#12 so the private key is usable by the TLS stack on every platform.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(TimeSpan.FromSeconds(2).ToCancellationToken());
        await _app.DisposeAsync();
    }
}
