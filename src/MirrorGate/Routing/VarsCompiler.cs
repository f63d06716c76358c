using System.Net;
using System.Text.Json.Nodes;

namespace MirrorGate.Routing;

/// <summary>
/// Turns a <c>vars</c> JSON array into <see cref="VarsNode"/>s with lua-resty-expr's rules and error texts
/// (<c>rule should be wrapped inside brackets</c>, <c>rule too short</c>, <c>bad 'not' expression</c>,
/// <c>invalid expression</c>, <c>invalid operator '…'</c>, <c>invalid ip address…</c>).
/// </summary>
internal static class VarsCompiler
{
    /// <summary>What APISIX's Admin API puts before lua-resty-expr's message.</summary>
    public const string MessagePrefix = "failed to validate the 'vars' expression: ";

    /// <summary>Compiles the top-level rule.</summary>
    /// <param name="root">Null with no error for an empty rule, which always holds.</param>
    /// <returns>lua-resty-expr's error (without <see cref="MessagePrefix"/>), or null on success.</returns>
    public static string? TryCompile(JsonArray rule, out VarsNode? root)
    {
        root = null;
        if (rule.Count == 0)
        {
            return null;
        }

        // At the top a bare condition ["arg_x", "==", "1"] is refused: only a list of conditions or a logical group.
        if (rule[0] is not JsonArray && !IsLogicOperator(rule[0], out _))
        {
            return "rule should be wrapped inside brackets";
        }

        return Compile(rule, out root);
    }

    private static string? Compile(JsonNode? node, out VarsNode? result)
    {
        result = null;
        if (node is not JsonArray rules)
        {
            return "invalid expression";
        }

        if (rules.Count == 0)
        {
            return "rule too short";
        }

        if (rules[0] is JsonArray)
        {
            return CompileGroup(VarsLogicOperator.And, rules, 0, out result);
        }

        if (IsLogicOperator(rules[0], out var op))
        {
            // lua-resty-expr wants an operator plus at least two operands.
            return rules.Count <= 2 ? "rule too short" : CompileGroup(op, rules, 1, out result);
        }

        return CompileCondition(rules, out result);
    }

    private static string? CompileGroup(VarsLogicOperator op, JsonArray rules, int start, out VarsNode? result)
    {
        result = null;
        var children = new VarsNode[rules.Count - start];
        for (var i = start; i < rules.Count; i++)
        {
            var error = Compile(rules[i], out var child);
            if (error is not null)
            {
                return error;
            }

            children[i - start] = child!;
        }

        result = new VarsLogic(op, children);
        return null;
    }

    private static string? CompileCondition(JsonArray expr, out VarsNode? result)
    {
        result = null;
        JsonNode? variable = expr[0];
        JsonNode? opNode;
        JsonNode? operand;
        bool hasOperand;
        var reverse = false;
        if (expr.Count == 4)
        {
            if (!VarsText.IsString(expr[1]) || VarsText.ToText(expr[1]) != "!")
            {
                return "bad 'not' expression";
            }

            reverse = true;
            (opNode, operand, hasOperand) = (expr[2], expr[3], true);
        }
        else
        {
            opNode = expr.Count > 1 ? expr[1] : null;
            operand = expr.Count > 2 ? expr[2] : null;
            hasOperand = expr.Count > 2;
        }

        // The operator is lower-cased before anything else looks at it (so "IN" and "IpMatch" work).
        var opText = VarsText.ToText(opNode)?.ToLowerInvariant();
        var known = VarsOperators.TryParse(opText, out var op);
        if (!hasOperand && !known)
        {
            // Backward compatibility in lua-resty-expr: [var, value] means [var, "==", value]. The value is the
            // already lower-cased operator text, a quirk kept so configs behave as on APISIX.
            if (opText is null)
            {
                return "invalid expression";
            }

            (op, operand, known) = (VarsOperator.Equal, JsonValue.Create(opText), true);
        }

        if (opText is null)
        {
            return "invalid expression";
        }

        if (!known)
        {
            return $"invalid operator '{opText}'";
        }

        IReadOnlyList<IPNetwork>? networks = null;
        if (op == VarsOperator.IpMatch)
        {
            var error = ParseNetworks(operand, out networks);
            if (error is not null)
            {
                return error;
            }
        }

        var name = VarsText.IsString(variable) ? VarsText.ToText(variable) : null;
        result = new VarsCondition(VarsVariable.Parse(name), op, operand, reverse, networks);
        return null;
    }

    private static string? ParseNetworks(JsonNode? operand, out IReadOnlyList<IPNetwork>? networks)
    {
        networks = null;
        if (operand is null || (VarsText.IsString(operand) && VarsText.ToText(operand) == string.Empty))
        {
            return "invalid ip address";
        }

        var items = operand is JsonArray array ? array.ToArray() : [operand];
        if (items.Length == 0)
        {
            return "invalid ip address";
        }

        var parsed = new IPNetwork[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            var text = VarsText.ToText(items[i]) ?? "nil";
            if (!IpNetworks.TryParse(text, out parsed[i]))
            {
                // lua-resty-ipmatcher names the address without its mask.
                var slash = text.IndexOf('/');
                return "invalid ip address: " + (slash < 0 ? text : text[..slash]);
            }
        }

        networks = parsed;
        return null;
    }

    private static bool IsLogicOperator(JsonNode? node, out VarsLogicOperator op)
    {
        op = default;
        return VarsText.IsString(node) && VarsLogic.TryParse(VarsText.ToText(node), out op);
    }
}
