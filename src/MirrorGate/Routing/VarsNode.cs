using Microsoft.AspNetCore.Http;

namespace MirrorGate.Routing;

/// <summary>A compiled piece of a <c>vars</c> expression: a single condition or a logical group.</summary>
internal abstract class VarsNode
{
    public abstract bool Evaluate(HttpContext context);
}
