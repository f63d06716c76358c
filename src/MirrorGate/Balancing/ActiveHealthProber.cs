using MirrorGate.Http;
using System.Net.Sockets;
using System.Text;

namespace MirrorGate.Balancing;

/// <summary>
/// Sends one active probe (<c>checks.active</c>) to a node and says what it showed. Owns the
/// probe connection pool, separate from the proxy's, so probes never queue behind traffic.
/// </summary>
internal sealed class ActiveHealthProber : IDisposable
{
    private readonly ActiveHealthCheckSettings _settings;
    private readonly TimeProvider _time;
    private readonly HttpMessageInvoker? _invoker;

    public ActiveHealthProber(ActiveHealthCheckSettings settings, TimeProvider time)
    {
        _settings = settings;
        _time = time;
        if (settings.Type != ActiveProbeType.Tcp)
        {
            // The probe timeout also bounds the whole request.
            var handler = OutgoingHandler.Create(settings.Timeout, settings.HttpsVerifyCertificate, TimeSpan.FromSeconds(30));
            _invoker = new HttpMessageInvoker(handler, disposeHandler: true);
        }
    }

    /// <summary>Probes <paramref name="node"/>; never throws for an unreachable or slow node.</summary>
    public async Task<HealthOutcome> ProbeAsync(UpstreamNode node, CancellationToken stopping)
    {
        using var timeout = new CancellationTokenSource(_settings.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, timeout.Token);
        var port = _settings.Port ?? node.Port;
        try
        {
            return _invoker is null
                ? await ProbeTcpAsync(node.Host, port, linked.Token).ConfigureAwait(false)
                : await ProbeHttpAsync(node, port, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            return HealthOutcome.Timeout;
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or IOException)
        {
            return HealthOutcome.TcpFailure;
        }
    }

    private static async Task<HealthOutcome> ProbeTcpAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        return HealthOutcome.Success;
    }

    private async Task<HealthOutcome> ProbeHttpAsync(UpstreamNode node, int port, CancellationToken cancellationToken)
    {
        var scheme = _settings.Type == ActiveProbeType.Https ? "https" : "http";
        var hostPart = node.Host.Contains(':') ? $"[{node.Host}]" : node.Host;
        using var request = new HttpRequestMessage(new HttpMethod(_settings.HttpMethod), $"{scheme}://{hostPart}:{port}{_settings.HttpPath}");
        if (_settings.Host is { } host)
        {
            request.Headers.Host = host;
        }

        foreach (var header in _settings.RequestHeaders)
        {
            var colon = header.IndexOf(':');
            if (colon > 0)
            {
                request.Headers.TryAddWithoutValidation(header[..colon].Trim(), header[(colon + 1)..].Trim());
            }
        }

        if (_settings.HttpRequestBody.Length > 0)
        {
            request.Content = new StringContent(_settings.HttpRequestBody, Encoding.UTF8);
        }

        using var response = await _invoker!.SendAsync(request, cancellationToken).ConfigureAwait(false);
        return _settings.Classify((int)response.StatusCode);
    }

    public void Dispose() => _invoker?.Dispose();
}
