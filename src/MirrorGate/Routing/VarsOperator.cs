namespace MirrorGate.Routing;

/// <summary>The comparison operators of lua-resty-expr.</summary>
internal enum VarsOperator
{
    Equal,
    NotEqual,
    Greater,
    Less,
    GreaterOrEqual,
    LessOrEqual,
    RegexMatch,
    RegexMatchIgnoreCase,
    In,
    Has,
    IpMatch,
}

internal static class VarsOperators
{
    /// <summary>Parses an operator already lower-cased (lua-resty-expr lower-cases it before the lookup).</summary>
    public static bool TryParse(string? text, out VarsOperator op)
    {
        switch (text)
        {
            case "==": op = VarsOperator.Equal; return true;
            case "~=": op = VarsOperator.NotEqual; return true;
            case ">": op = VarsOperator.Greater; return true;
            case "<": op = VarsOperator.Less; return true;
            case ">=": op = VarsOperator.GreaterOrEqual; return true;
            case "<=": op = VarsOperator.LessOrEqual; return true;
            case "~~": op = VarsOperator.RegexMatch; return true;
            case "~*": op = VarsOperator.RegexMatchIgnoreCase; return true;
            case "in": op = VarsOperator.In; return true;
            case "has": op = VarsOperator.Has; return true;
            case "ipmatch": op = VarsOperator.IpMatch; return true;
            default: op = default; return false;
        }
    }
}
