using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MirrorGate.Routing;

/// <summary>
/// A compiled APISIX <c>vars</c> expression (lua-resty-expr v1): a list of conditions that must all hold, or a
/// logical group (<c>AND</c>, <c>OR</c>, <c>!AND</c>, <c>!OR</c>) nesting further groups and conditions.
/// Immutable and thread-safe; evaluation reads the request only.
/// </summary>
internal sealed class VarsExpression
{
    private readonly VarsNode? _root;

    private VarsExpression(VarsNode? root) => _root = root;

    /// <summary>The compiled tree; null for an empty expression, which always holds.</summary>
    internal VarsNode? Root => _root;

    /// <exception cref="VarsExpressionException">With APISIX's message, e.g. <c>failed to validate the 'vars' expression: invalid operator '='</c>.</exception>
    public static VarsExpression Compile(JsonArray vars)
    {
        ArgumentNullException.ThrowIfNull(vars);
        var error = VarsCompiler.TryCompile(vars, out var root);
        return error is null ? new VarsExpression(root) : throw new VarsExpressionException(VarsCompiler.MessagePrefix + error);
    }

    /// <summary>Null when valid; otherwise APISIX's full Admin API message for a 400.</summary>
    public static string? Validate(JsonArray vars)
    {
        ArgumentNullException.ThrowIfNull(vars);
        var error = VarsCompiler.TryCompile(vars, out _);
        return error is null ? null : VarsCompiler.MessagePrefix + error;
    }

    public bool Evaluate(HttpContext context) => _root is null || _root.Evaluate(context);
}
