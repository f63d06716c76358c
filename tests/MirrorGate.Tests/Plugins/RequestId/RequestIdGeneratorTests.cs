using System.Numerics;
using System.Text.RegularExpressions;
using MirrorGate.Plugins.RequestId;

namespace MirrorGate.Tests.Plugins.RequestId;

public sealed class RequestIdGeneratorTests
{
    private sealed class SetClock(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public void SetUtcNow(DateTimeOffset now) => _now = now;

        public override DateTimeOffset GetUtcNow() => _now;
    }

    private static readonly DateTimeOffset Start = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static RequestIdGenerator Generator(RequestIdAlgorithm algorithm, TimeProvider? time = null, int length = 16, string charSet = RequestIdPlugin.DefaultCharSet)
        => new(algorithm, length, charSet, new Random(7), time ?? new SetClock(Start));

    [Theory]
    [InlineData("uuid", "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    [InlineData("uuidv7", "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    [InlineData("nanoid", "^[-_0-9a-zA-Z]{21}$")]
    [InlineData("range_id", "^[a-zA-Z0-9]{16}$")]
    [InlineData("ksuid", "^[0-9a-zA-Z]{27}$")]
    public void Next_EachAlgorithm_WellFormedAndUnique(string algorithm, string pattern)
    {
        var generator = Generator(Enum.Parse<RequestIdAlgorithm>(algorithm.Replace("_", ""), ignoreCase: true));

        var ids = Enumerable.Range(0, 1000).Select(_ => generator.Next()).ToList();

        Assert.All(ids, id => Assert.Matches(pattern, id));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void Next_UuidV7SameMillisecond_SortedAndStampedWithTheClock()
    {
        var generator = Generator(RequestIdAlgorithm.UuidV7);

        var ids = Enumerable.Range(0, 500).Select(_ => generator.Next()).ToList();

        Assert.Equal(ids.Order(StringComparer.Ordinal), ids);
        var ms = Convert.ToInt64(ids[0].Replace("-", "", StringComparison.Ordinal)[..12], 16);
        Assert.Equal(Start.ToUnixTimeMilliseconds(), ms);
    }

    [Fact]
    public void Next_UuidV7ClockStepsBack_StillSorted()
    {
        var time = new SetClock(Start);
        var generator = Generator(RequestIdAlgorithm.UuidV7, time);

        var first = generator.Next();
        time.SetUtcNow(Start.AddSeconds(-5));
        var second = generator.Next();
        time.SetUtcNow(Start.AddMilliseconds(3));
        var third = generator.Next();

        Assert.True(string.CompareOrdinal(first, second) < 0);
        Assert.True(string.CompareOrdinal(second, third) < 0);
    }

    [Fact]
    public void Next_RangeId_UsesLengthAndCharSet()
    {
        var id = Generator(RequestIdAlgorithm.RangeId, length: 40, charSet: "abcxyz").Next();

        Assert.Matches("^[abcxyz]{40}$", id);
    }

    [Fact]
    public void Next_Ksuid_CarriesSecondsSinceKsuidEpoch()
    {
        var id = Generator(RequestIdAlgorithm.Ksuid).Next();

        var value = BigInteger.Zero;
        foreach (var c in id)
        {
            value = value * 62 + "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".IndexOf(c, StringComparison.Ordinal);
        }

        var bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        var padded = new byte[20];
        bytes.CopyTo(padded, 20 - bytes.Length);
        var seconds = (padded[0] << 24) | (padded[1] << 16) | (padded[2] << 8) | padded[3];
        Assert.Equal(Start.ToUnixTimeSeconds() - 1_400_000_000, seconds);
    }
}
