using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using MirrorGate.Resources;

namespace MirrorGate.Routing;

/// <summary>
/// One <c>[var, op, value]</c> (or <c>[var, "!", op, value]</c>) condition. The value is pre-digested for its
/// operator at compile time (number, regex, string set, networks) so evaluation only reads the variable and
/// compares. Comparisons follow Lua's rules: a string never equals a number unless <c>==</c> converts it.
/// </summary>
internal sealed class VarsCondition : VarsNode
{
    /// <summary>Regexes run against client input; a bound keeps a hostile pattern/input pair from stalling a worker.</summary>
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    private readonly string? _text;
    private readonly double? _number;
    private readonly bool _isNil;
    private readonly string[] _strings = [];
    private readonly Regex? _regex;
    private readonly IReadOnlyList<IPNetwork> _networks = [];

    /// <param name="operand">The value; null when missing or JSON null (lua-resty-expr turns ngx.null into nil).</param>
    /// <param name="networks">Parsed by the compiler for <c>ipmatch</c>.</param>
    public VarsCondition(VarsVariable variable, VarsOperator op, JsonNode? operand, bool reverse, IReadOnlyList<IPNetwork>? networks = null)
    {
        Variable = variable;
        Operator = op;
        Reverse = reverse;
        _isNil = operand is null;
        if (operand is JsonValue value)
        {
            switch (value.GetValueKind())
            {
                case JsonValueKind.String:
                    _text = value.GetValue<string>();
                    break;
                case JsonValueKind.Number:
                    _number = value.GetValue<double>();
                    break;
            }
        }

        switch (op)
        {
            case VarsOperator.Greater or VarsOperator.Less or VarsOperator.GreaterOrEqual or VarsOperator.LessOrEqual:
                // Both sides go through tonumber, so "10" works as well as 10.
                if (_number is null && _text is not null && LuaNumber.TryParse(_text, out var parsed))
                {
                    _number = parsed;
                }

                break;
            case VarsOperator.RegexMatch or VarsOperator.RegexMatchIgnoreCase:
                _regex = CompileRegex(_text ?? (_number is { } n ? VarsText.FormatNumber(n) : null), op == VarsOperator.RegexMatchIgnoreCase);
                break;
            case VarsOperator.In when operand is JsonArray array:
                _strings = array.OfType<JsonValue>().Where(v => v.GetValueKind() == JsonValueKind.String).Select(v => v.GetValue<string>()).ToArray();
                break;
            case VarsOperator.IpMatch:
                _networks = networks ?? [];
                break;
        }
    }

    public VarsVariable Variable { get; }

    public VarsOperator Operator { get; }

    /// <summary>The <c>!</c> form: the comparison's result is inverted.</summary>
    public bool Reverse { get; }

    public override bool Evaluate(HttpContext context) => Compare(context) != Reverse;

    private bool Compare(HttpContext context)
    {
        switch (Operator)
        {
            case VarsOperator.Equal:
                return AreEqual(Variable.GetValue(context));
            case VarsOperator.NotEqual:
                return !AreEqual(Variable.GetValue(context));
            case VarsOperator.Greater or VarsOperator.Less or VarsOperator.GreaterOrEqual or VarsOperator.LessOrEqual:
                return CompareNumbers(Variable.GetValue(context));
            case VarsOperator.RegexMatch or VarsOperator.RegexMatchIgnoreCase:
                return IsRegexMatch(Variable.GetValue(context));
            case VarsOperator.In:
                return Variable.GetValue(context) is { } inValue && Array.IndexOf(_strings, inValue) >= 0;
            case VarsOperator.Has:
                return _text is not null && Variable.GetValues(context).Contains(_text);
            case VarsOperator.IpMatch:
                return Variable.GetValue(context) is { } ip && IpNetworks.TryParseAddress(ip, out var address) && IpNetworks.Contains(_networks, address);
            default:
                return false;
        }
    }

    private bool AreEqual(string? actual)
    {
        if (_isNil)
        {
            return actual is null;
        }

        if (_number is { } expected)
        {
            return actual is not null && LuaNumber.TryParse(actual, out var number) && number == expected;
        }

        // A boolean, array or object value never equals a request variable (always a string or nil).
        return _text is not null && string.Equals(actual, _text, StringComparison.Ordinal);
    }

    private bool CompareNumbers(string? actual)
    {
        if (_number is not { } expected || actual is null || !LuaNumber.TryParse(actual, out var number))
        {
            return false;
        }

        return Operator switch
        {
            VarsOperator.Greater => number > expected,
            VarsOperator.Less => number < expected,
            VarsOperator.GreaterOrEqual => number >= expected,
            _ => number <= expected,
        };
    }

    private bool IsRegexMatch(string? actual)
    {
        if (actual is null || _regex is null)
        {
            return false;
        }

        try
        {
            return _regex.IsMatch(actual);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// An invalid pattern is not a validation error in APISIX (it fails at request time, never matching), so it
    /// compiles to null here and the condition is simply false.
    /// </summary>
    private static Regex? CompileRegex(string? pattern, bool ignoreCase)
    {
        if (pattern is null)
        {
            return null;
        }

        try
        {
            var options = RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
            // "$" means the true end of the value here, so "^[0-9]+$" does not let "1\n" through.
            return new Regex(PatternEndAnchor.ToTrueEnd(pattern), options, RegexTimeout);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }
}
