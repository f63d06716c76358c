using Microsoft.AspNetCore.Http;

namespace MirrorGate.Routing;

/// <summary>The logical operators of lua-resty-expr; a plain list of conditions is an implicit AND.</summary>
internal enum VarsLogicOperator
{
    And,
    Or,
    NotAnd,
    NotOr,
}

/// <summary>A logical group, evaluated with short-circuit like lua-resty-expr.</summary>
internal sealed class VarsLogic(VarsLogicOperator op, VarsNode[] children) : VarsNode
{
    public VarsLogicOperator Operator { get; } = op;

    public IReadOnlyList<VarsNode> Children => children;

    /// <summary>Parses <c>AND</c>, <c>OR</c>, <c>!AND</c>, <c>!OR</c> case-insensitively, as lua-resty-expr upper-cases the word.</summary>
    public static bool TryParse(string? text, out VarsLogicOperator op)
    {
        switch (text?.ToUpperInvariant())
        {
            case "AND": op = VarsLogicOperator.And; return true;
            case "OR": op = VarsLogicOperator.Or; return true;
            case "!AND": op = VarsLogicOperator.NotAnd; return true;
            case "!OR": op = VarsLogicOperator.NotOr; return true;
            default: op = default; return false;
        }
    }

    public override bool Evaluate(HttpContext context) => Operator switch
    {
        VarsLogicOperator.And => All(context),
        VarsLogicOperator.Or => Any(context),
        VarsLogicOperator.NotAnd => !All(context),
        _ => !Any(context),
    };

    private bool All(HttpContext context)
    {
        foreach (var child in children)
        {
            if (!child.Evaluate(context))
            {
                return false;
            }
        }

        return true;
    }

    private bool Any(HttpContext context)
    {
        foreach (var child in children)
        {
            if (child.Evaluate(context))
            {
                return true;
            }
        }

        return false;
    }
}
