using Microsoft.AspNetCore.Http;
using MirrorGate.Balancing;
using MirrorGate.Plugins.ProxyMirror;

namespace MirrorGate.Tests.Plugins.ProxyMirror;

public sealed class MirrorSamplerTests
{
    private static readonly Func<double> NeverDraw = () => throw new InvalidOperationException("a keyed request must not draw");

    private static HttpContext WithUser(string? user)
    {
        var http = new DefaultHttpContext();
        if (user is not null)
        {
            http.Request.Headers["X-User-Id"] = user;
        }

        return http;
    }

    private static MirrorSampler Keyed(double ratio) => new(ratio, RequestVariable.Parse("http_x_user_id"));

    [Fact]
    public void Samples_SameValue_SameDecisionForEverySamplerOfTheRatio()
    {
        for (var i = 0; i < 1000; i++)
        {
            var user = $"user-{i}";
            var first = Keyed(0.3).Samples(WithUser(user), NeverDraw);
            Assert.Equal(first, Keyed(0.3).Samples(WithUser(user), NeverDraw));
            Assert.Equal(first, Keyed(0.3).Samples(WithUser(user), NeverDraw));
        }
    }

    [Fact]
    public void Samples_Decision_IsTheHashOfTheValueUnderTheRatio()
    {
        // Pinned: a node of another version (or after a restart) must decide as this one did.
        Assert.Equal(StableHash.Of("alice") / 4294967296.0, MirrorSampler.Position(StableHash.Of("alice")));
        foreach (var user in new[] { "alice", "bob", "42", "" })
        {
            var position = MirrorSampler.Position(StableHash.Of(user));
            Assert.Equal(position < 0.5, Keyed(0.5).Samples(WithUser(user), NeverDraw));
        }
    }

    [Fact]
    public void Samples_HigherRatio_KeepsEveryValueALowerOneTook()
    {
        for (var i = 0; i < 2000; i++)
        {
            var http = WithUser($"u{i}");
            if (Keyed(0.2).Samples(http, NeverDraw))
            {
                Assert.True(Keyed(0.6).Samples(http, NeverDraw));
            }
        }
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.1)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Samples_DistinctValues_ShareCloseToTheRatio(double ratio)
    {
        const int n = 100_000;
        var sampler = Keyed(ratio);
        var taken = 0;
        for (var i = 0; i < n; i++)
        {
            if (sampler.Samples(WithUser($"user-{i}"), NeverDraw))
            {
                taken++;
            }
        }

        // Six standard deviations of a binomial share: a fair hash lands outside with probability < 2e-9.
        var bound = 6 * Math.Sqrt(ratio * (1 - ratio) / n);
        Assert.InRange((double)taken / n, ratio - bound, ratio + bound);
    }

    [Theory]
    [InlineData(0.29, true)]
    [InlineData(0.3, false)]
    public void Samples_RequestWithoutTheKey_FallsBackToTheRandomDraw(double draw, bool sampled)
        => Assert.Equal(sampled, Keyed(0.3).Samples(WithUser(null), () => draw));

    [Fact]
    public void Samples_RatioOne_NeitherHashesNorDraws()
        => Assert.True(Keyed(1).Samples(WithUser(null), NeverDraw));

    [Fact]
    public void Samples_Keyed_AllocatesNothing()
    {
        var sampler = Keyed(0.5);
        var http = WithUser("user-123456");
        sampler.Samples(http, NeverDraw);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            sampler.Samples(http, NeverDraw);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
