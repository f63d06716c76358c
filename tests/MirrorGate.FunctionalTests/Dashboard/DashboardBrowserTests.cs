using Microsoft.Playwright;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Dashboard;

/// <summary>
/// The dashboard in a real headless Chromium (Debian's, driven by Playwright; no browser is
/// downloaded): a wrong key is refused, the right one shows the routes, and the sampled counter
/// rises while real traffic is mirrored from a real upstream's route to a real sink. The test
/// leaves <c>dashboard.png</c> in its output folder (docs/images/dashboard.png is one such shot).
/// </summary>
public sealed class DashboardBrowserTests
{
    private const string Route = "[data-route=\"orders\"]";
    private const string Sampled = Route + " [data-target=\"v2-canary\"] [data-counter=\"sampled\"]";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Page_WrongKeyThenViewerKey_RefusesThenShowsSampledCounterRising()
    {
        var chromium = ChromiumExecutable.Find();
        await using var upstream = await RecordingServer.StartAsync();
        await using var sink = await RecordingServer.StartAsync();
        await using var gateway = await GatewayNode.StartAsync();
        await gateway.PutRouteAsync("orders", $$"""
            {"uri":"/orders/*","name":"orders API","methods":["GET","POST"],
             "plugins":{"proxy-mirror":{"targets":[
               {"name":"v2-canary","host":"{{sink.Url}}","queue_size":64},
               {"name":"analytics","host":"http://127.0.0.1:{{FreePort.Next()}}","sample_ratio":0.5}] } },
             "upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1},
               "checks":{"active":{"http_path":"/","healthy":{"interval":1},"unhealthy":{"interval":1} } } } }
            """);

        // A route without a mirror, whose upstream has a node nobody listens on: the page shows it unhealthy once probed.
        await gateway.PutRouteAsync("static", $$"""
            {"uri":"/static/*","upstream":{"type":"roundrobin","nodes":{"{{upstream.Address}}":1,"127.0.0.1:{{FreePort.Next()}}":1},
              "checks":{"active":{"http_path":"/","healthy":{"interval":1},"unhealthy":{"interval":1} } } } }
            """);

        // The environment variable keeps Playwright from ever looking for a browser of its own.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true, Timeout = 60_000 });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1440, Height = 900 } });
        page.SetDefaultTimeout((float)Bound.TotalMilliseconds);
        var pageUrl = $"http://127.0.0.1:{gateway.AdminPort}/ui/";
        await page.GotoAsync(pageUrl);

        await page.FillAsync("#key", "not-the-key");
        await page.ClickAsync("#open");
        var refusal = await page.WaitForSelectorAsync("#login-error:not([hidden])");
        Assert.Contains("Wrong key", await refusal!.TextContentAsync(), StringComparison.Ordinal);
        Assert.True(await page.IsHiddenAsync("#board"));

        await page.FillAsync("#key", GatewayNode.ViewerKey);
        await page.ClickAsync("#open");
        await page.WaitForSelectorAsync(Route);
        Assert.Contains("orders API", await page.TextContentAsync(Route), StringComparison.Ordinal);
        Assert.Equal(pageUrl, page.Url); // the key never goes into the URL
        Assert.Equal(0, await SampledAsync(page));

        // Real traffic, mirrored, until the test is done (bounded in count and time: it outlasts both waits below).
        using var stop = new CancellationTokenSource(Bound * 2);
        var traffic = SendTrafficAsync(gateway, stop.Token);
        try
        {
            await page.WaitForFunctionAsync($"() => Number(document.querySelector('{Sampled}')?.dataset.value) >= 5");
            var first = await SampledAsync(page);

            // Rising: a later refresh shows more, with a rate.
            await page.WaitForFunctionAsync(
                $"() => Number(document.querySelector('{Sampled}')?.dataset.value) > {first}"
                + $" && (document.querySelector('{Sampled} [data-rate]')?.textContent ?? '').endsWith('/s')");
            Assert.True(await SampledAsync(page) > first);
            Assert.True(upstream.Count >= first);

            var shot = Path.Combine(AppContext.BaseDirectory, "dashboard.png");
            await page.ScreenshotAsync(new() { Path = shot, FullPage = true });
            Assert.True(new FileInfo(shot).Length > 0);
        }
        finally
        {
            await stop.CancelAsync();
            await traffic;
        }
    }

    private static async Task<long> SampledAsync(IPage page)
        => long.Parse(await page.GetAttributeAsync(Sampled, "data-value") ?? "-1", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task SendTrafficAsync(GatewayNode gateway, CancellationToken stop)
    {
        for (var i = 0; i < 1000 && !stop.IsCancellationRequested; i++)
        {
            try
            {
                using var response = await gateway.Client.GetAsync($"{gateway.ProxyUrl}/orders/{i}", stop);
                await Task.Delay(50, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
