using MirrorGate.Plugins.RealIp;

namespace MirrorGate.Tests.Plugins.RealIp;

public sealed class ClientAddressTests
{
    [Theory]
    [InlineData("1.1.1.1", "1.1.1.1", null)]
    [InlineData("1.1.1.1:7090", "1.1.1.1", 7090)]
    [InlineData("::2", "::2", null)]
    [InlineData("[::2]", "::2", null)]
    [InlineData("[::2]:80", "::2", 80)]
    [InlineData("::ffff:192.0.2.1", "::ffff:192.0.2.1", null)]
    public void TryParse_Address_IpAndPort(string text, string ip, int? port)
    {
        Assert.True(ClientAddress.TryParse(text, out var address, out var parsedPort));
        Assert.Equal(ip, address.ToString());
        Assert.Equal(port, parsedPort);
    }

    [Theory]
    [InlineData("1.1.1.1.1")]
    [InlineData("1.1.1.1:65536")]
    [InlineData("1.1.1.1:0")]
    [InlineData("1.1.1.1:x")]
    [InlineData("10.1")]
    [InlineData("localhost")]
    [InlineData("[::2")]
    [InlineData("[::2]x")]
    [InlineData("[1.1.1.1]")]
    [InlineData("")]
    public void TryParse_NotAnAddress_False(string text)
        => Assert.False(ClientAddress.TryParse(text, out _, out _));
}
