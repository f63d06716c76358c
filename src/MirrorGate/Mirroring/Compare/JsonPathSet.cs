namespace MirrorGate.Mirroring.Compare;

/// <summary>Several compiled JSON paths asked together: does any of them name this location?</summary>
internal sealed class JsonPathSet(IReadOnlyList<JsonPath> paths)
{
    public static readonly JsonPathSet Empty = new([]);

    public IReadOnlyList<JsonPath> Paths { get; } = paths;

    public bool IsEmpty => Paths.Count == 0;

    public bool Matches(ReadOnlySpan<JsonPathStep> steps)
    {
        foreach (var path in Paths)
        {
            if (path.Matches(steps))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Writes a location as a path this syntax reads back: <c>$.items[2].price</c>, <c>$['a.b']</c>.</summary>
    public static string Format(ReadOnlySpan<JsonPathStep> steps)
    {
        var text = new System.Text.StringBuilder("$");
        foreach (var step in steps)
        {
            AppendStep(text, step);
        }

        return text.ToString();
    }

    public static void AppendStep(System.Text.StringBuilder text, JsonPathStep step)
    {
        if (!step.IsMember)
        {
            text.Append('[').Append(step.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(']');
            return;
        }

        var name = step.Name!;
        if (name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '$' or '@'))
        {
            text.Append('.').Append(name);
            return;
        }

        text.Append("['");
        foreach (var c in name)
        {
            if (c is '\'' or '\\')
            {
                text.Append('\\');
            }

            text.Append(c);
        }

        text.Append("']");
    }
}
