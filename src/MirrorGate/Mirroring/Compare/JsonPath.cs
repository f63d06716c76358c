using System.Globalization;
using System.Text;

namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// A compiled JSON path that says whether it names one location of a document, used to ignore
/// and to redact parts of an answer's body. Supported, nothing more (no filters, slices or unions):
/// <list type="bullet">
/// <item><c>$</c> the whole document (must come first);</item>
/// <item><c>.name</c> a member (letters, digits, <c>_</c>, <c>-</c>, <c>$</c>, <c>@</c>); <c>['name']</c> or <c>["name"]</c> any member name, with <c>\'</c>, <c>\"</c> and <c>\\</c> escapes;</item>
/// <item><c>[N]</c> an array element (0-based); <c>[*]</c> or <c>.*</c> any element or member;</item>
/// <item><c>..name</c>, <c>..['name']</c>, <c>..[N]</c>, <c>..*</c> the step at any depth below (recursive descent).</item>
/// </list>
/// A path matches a location exactly; what the location holds (its subtree) goes with it.
/// </summary>
internal sealed class JsonPath
{
    private readonly Segment[] _segments;

    private JsonPath(string text, Segment[] segments)
    {
        Text = text;
        _segments = segments;
    }

    public string Text { get; }

    public override string ToString() => Text;

    /// <summary>True when this path names exactly the location reached by <paramref name="steps"/> from the root.</summary>
    public bool Matches(ReadOnlySpan<JsonPathStep> steps) => Match(0, steps);

    public static JsonPath Parse(string text)
        => TryParse(text, out var path, out var problem) ? path : throw new FormatException(problem);

    /// <summary>Compiles <paramref name="text"/>; on failure <paramref name="problem"/> says what and where (0-based position).</summary>
    public static bool TryParse(string text, out JsonPath path, out string problem)
    {
        path = null!;
        var segments = new List<Segment>();
        if (text.Length == 0 || text[0] != '$')
        {
            problem = "it must start with $";
            return false;
        }

        var i = 1;
        while (i < text.Length)
        {
            var recursive = false;
            if (text[i] == '.')
            {
                if (i + 1 < text.Length && text[i + 1] == '.')
                {
                    recursive = true;
                    i += 2;
                    if (i < text.Length && text[i] == '[')
                    {
                        if (!TryBracket(text, ref i, recursive, segments, out problem))
                        {
                            return false;
                        }

                        continue;
                    }
                }
                else
                {
                    i++;
                }

                if (i < text.Length && text[i] == '*')
                {
                    segments.Add(new Segment(SegmentKind.Any, null, -1, recursive));
                    i++;
                    continue;
                }

                var start = i;
                while (i < text.Length && IsNameChar(text[i]))
                {
                    i++;
                }

                if (i == start)
                {
                    problem = i < text.Length
                        ? $"unexpected '{text[i]}' at position {i} (a member name, * or [ was expected)"
                        : "it ends after '.' (a member name or * was expected)";
                    return false;
                }

                segments.Add(new Segment(SegmentKind.Member, text[start..i], -1, recursive));
                continue;
            }

            if (text[i] == '[')
            {
                if (!TryBracket(text, ref i, recursive: false, segments, out problem))
                {
                    return false;
                }

                continue;
            }

            problem = $"unexpected '{text[i]}' at position {i} (. or [ was expected)";
            return false;
        }

        path = new JsonPath(text, [.. segments]);
        problem = "";
        return true;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '$' or '@';

    private static bool TryBracket(string text, ref int i, bool recursive, List<Segment> segments, out string problem)
    {
        var open = i;
        i++;
        if (i >= text.Length)
        {
            problem = $"unclosed [ at position {open}";
            return false;
        }

        var c = text[i];
        if (c is '\'' or '"')
        {
            var quote = c;
            i++;
            var name = new StringBuilder();
            while (true)
            {
                if (i >= text.Length)
                {
                    problem = $"unclosed string at position {open + 1}";
                    return false;
                }

                if (text[i] == '\\')
                {
                    if (i + 1 >= text.Length || text[i + 1] is not ('\'' or '"' or '\\'))
                    {
                        problem = $"unknown escape at position {i} (only \\', \\\" and \\\\ are known)";
                        return false;
                    }

                    name.Append(text[i + 1]);
                    i += 2;
                    continue;
                }

                if (text[i] == quote)
                {
                    i++;
                    break;
                }

                name.Append(text[i]);
                i++;
            }

            if (i >= text.Length || text[i] != ']')
            {
                problem = $"unclosed [ at position {open}";
                return false;
            }

            i++;
            segments.Add(new Segment(SegmentKind.Member, name.ToString(), -1, recursive));
            problem = "";
            return true;
        }

        if (c == '*')
        {
            if (i + 1 >= text.Length || text[i + 1] != ']')
            {
                problem = $"unclosed [ at position {open}";
                return false;
            }

            i += 2;
            segments.Add(new Segment(SegmentKind.Any, null, -1, recursive));
            problem = "";
            return true;
        }

        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        if (i == start)
        {
            problem = $"unexpected '{c}' at position {i} (an index, * or a quoted name was expected inside [ ])";
            return false;
        }

        if (i >= text.Length || text[i] != ']')
        {
            problem = i >= text.Length ? $"unclosed [ at position {open}" : $"unexpected '{text[i]}' at position {i} (] was expected)";
            return false;
        }

        if (!int.TryParse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            problem = $"the index at position {start} is too large";
            return false;
        }

        i++;
        segments.Add(new Segment(SegmentKind.Index, null, index, recursive));
        problem = "";
        return true;
    }

    private bool Match(int segment, ReadOnlySpan<JsonPathStep> steps)
    {
        // Which step positions the segments matched so far can end at: one pass per segment, so
        // recursive descents cost O(segments x steps), never a backtracking blow-up.
        var n = steps.Length;
        Span<bool> current = n < 256 ? stackalloc bool[n + 1] : new bool[n + 1];
        Span<bool> next = n < 256 ? stackalloc bool[n + 1] : new bool[n + 1];
        current[0] = true;
        for (var s = segment; s < _segments.Length; s++)
        {
            next.Clear();
            var seg = _segments[s];
            var any = false;
            if (seg.Recursive)
            {
                // From the first reachable position on, any later step this segment accepts.
                var from = current.IndexOf(true);
                for (var q = Math.Max(from, 0); from >= 0 && q < n; q++)
                {
                    if (seg.Accepts(steps[q]))
                    {
                        next[q + 1] = true;
                        any = true;
                    }
                }
            }
            else
            {
                for (var p = 0; p < n; p++)
                {
                    if (current[p] && seg.Accepts(steps[p]))
                    {
                        next[p + 1] = true;
                        any = true;
                    }
                }
            }

            if (!any)
            {
                return false;
            }

            var swap = current;
            current = next;
            next = swap;
        }

        return current[n];
    }

    private enum SegmentKind
    {
        Member,
        Index,
        Any,
    }

    private readonly record struct Segment(SegmentKind Kind, string? Name, int Index, bool Recursive)
    {
        public bool Accepts(JsonPathStep step) => Kind switch
        {
            SegmentKind.Member => step.IsMember && string.Equals(step.Name, Name, StringComparison.Ordinal),
            SegmentKind.Index => !step.IsMember && step.Index == Index,
            _ => true,
        };
    }
}
