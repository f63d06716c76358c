using MirrorGate.Configuration;

namespace MirrorGate.Tests.Configuration;

public sealed class NginxTimeTests
{
    [Theory]
    [InlineData("60s", 60_000)]
    [InlineData("2000ms", 2_000)]
    [InlineData("2s", 2_000)]
    [InlineData("1m", 60_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1d", 86_400_000)]
    [InlineData("1w", 604_800_000)]
    [InlineData("1M", 2_592_000_000)]
    [InlineData("1y", 31_536_000_000)]
    [InlineData("5", 5_000)]
    [InlineData("0", 0)]
    [InlineData("1m30s", 90_000)]
    [InlineData("1h 30m", 5_400_000)]
    [InlineData("1s500ms", 1_500)]
    [InlineData("1m30", 90_000)]
    [InlineData(" 60s ", 60_000)]
    public void TryParse_ValidText_ReturnsDuration(string text, long milliseconds)
    {
        Assert.True(NginxTime.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("s")]
    [InlineData("1.5s")]
    [InlineData("-1s")]
    [InlineData("10x")]
    [InlineData("1s1m")]
    [InlineData("1s1s")]
    [InlineData("500ms1s")]
    [InlineData("1 2")]
    [InlineData("99999999999999999999s")]
    [InlineData("1S")]
    public void TryParse_InvalidText_ReturnsFalse(string? text)
    {
        Assert.False(NginxTime.TryParse(text, out _));
    }
}

public sealed class NginxSizeTests
{
    [Theory]
    [InlineData("512", 512)]
    [InlineData("64k", 65_536)]
    [InlineData("64K", 65_536)]
    [InlineData("10m", 10_485_760)]
    [InlineData("1g", 1_073_741_824)]
    [InlineData("0", 0)]
    public void TryParse_ValidText_ReturnsBytes(string text, long bytes)
    {
        Assert.True(NginxSize.TryParse(text, out var value));
        Assert.Equal(bytes, value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("1.5m")]
    [InlineData("-1")]
    [InlineData("10mb")]
    [InlineData("99999999999999999999g")]
    public void TryParse_InvalidText_ReturnsFalse(string? text)
    {
        Assert.False(NginxSize.TryParse(text, out _));
    }
}
