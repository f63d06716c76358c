namespace MirrorGate.Routing;

/// <summary>A <c>vars</c> expression that APISIX would reject; the message is APISIX's full Admin API text.</summary>
internal sealed class VarsExpressionException(string message) : Exception(message);
