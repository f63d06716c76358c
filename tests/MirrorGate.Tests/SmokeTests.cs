using MirrorGate.Resources;

namespace MirrorGate.Tests;

public sealed class ResourceKindTests
{
    [Fact]
    public void Plural_Route_IsRoutes() => Assert.Equal("routes", ResourceKind.Route.Plural());
}
