using System.Collections.Concurrent;

namespace MirrorGate.FunctionalTests.Cluster;

/// <summary>
/// Steady client traffic through several nodes: a few loops per node, each sending one GET after
/// another, counting every answer. Any answer but 200 (or a failed connection) is a failure and is
/// kept for the assertion message.
/// </summary>
internal sealed class ProxyLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly HttpClient _client = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly Task[] _loops;
    private long _succeeded;

    public ProxyLoad(IEnumerable<string> urls, int loopsPerUrl = 2)
    {
        _loops = urls.SelectMany(url => Enumerable.Range(0, loopsPerUrl).Select(_ => Task.Run(() => LoopAsync(url)))).ToArray();
    }

    public long Succeeded => Interlocked.Read(ref _succeeded);

    public IReadOnlyCollection<string> Failures => _failures;

    /// <summary>Waits (bounded) until <paramref name="more"/> more requests succeeded than now, so a phase of a test is known to have carried traffic.</summary>
    public async Task WaitForMoreAsync(long more, TimeSpan? timeout = null)
    {
        var target = Succeeded + more;
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (Succeeded < target)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"only {Succeeded} requests succeeded, waited for {target}; failures: {string.Join("; ", _failures.Take(5))}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Stops the loops and waits for the requests in flight.</summary>
    public async Task StopAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_loops);
    }

    private async Task LoopAsync(string url)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                // Not cancelled by the stop signal: a request once sent is always answered and counted.
                using var response = await _client.GetAsync(url, CancellationToken.None);
                await response.Content.ReadAsStringAsync(CancellationToken.None);
                if ((int)response.StatusCode == 200)
                {
                    Interlocked.Increment(ref _succeeded);
                }
                else
                {
                    _failures.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {url}: {(int)response.StatusCode}");
                }
            }
            catch (HttpRequestException ex)
            {
                _failures.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {url}: {ex.Message}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _client.Dispose();
        _stop.Dispose();
    }
}
