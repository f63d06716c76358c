using MirrorGate.Resources.Validation;

namespace MirrorGate.Tests.Resources.Validation;

public sealed class ResourceIdCheckTests
{
    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("...")]
    public void Check_OnlyDots_Refused(string id) =>
        Assert.Equal($"invalid configuration: property \"id\" validation failed: an id made only of dots (\"{id}\") cannot be used in a URL", ResourceIdCheck.Check(id));

    [Theory]
    [InlineData("1")]
    [InlineData(".a")]
    [InlineData("a..")]
    [InlineData("v1.2")]
    public void Check_IdWithOtherCharacters_Valid(string id) => Assert.Null(ResourceIdCheck.Check(id));
}
