using Microsoft.Extensions.Primitives;
using MirrorGate.Pipeline;

namespace MirrorGate.Tests.Pipeline;

public sealed class HopByHopHeadersTests
{
    [Theory]
    [InlineData("keep-alive")]
    [InlineData("Close")]
    [InlineData(" Keep-Alive ")]
    [InlineData("keep-alive, Upgrade")]
    public void ListedIn_OnlyFixedHopByHopOptions_Null(string connection)
        => Assert.Null(HopByHopHeaders.ListedIn(new StringValues(connection)));

    [Fact]
    public void ListedIn_OtherNamesAcrossValues_EveryTokenOnceNonTokensLeftOut()
    {
        var listed = HopByHopHeaders.ListedIn(new StringValues(["keep-alive, X-Secret", "x-trace , \"quoted\", a b", ""]));

        Assert.Equal(["X-Secret", "x-trace"], listed);
    }
}
