using MirrorGate.Mirroring.Compare;

namespace MirrorGate.Tests.Mirroring.Compare;

public sealed class JsonPathTests
{
    private static JsonPathStep M(string name) => JsonPathStep.Member(name);

    private static JsonPathStep I(int index) => JsonPathStep.Element(index);

    private static bool Matches(string path, params JsonPathStep[] steps) => JsonPath.Parse(path).Matches(steps);

    [Fact]
    public void Matches_Root_OnlyTheDocument()
    {
        Assert.True(Matches("$"));
        Assert.False(Matches("$", M("a")));
    }

    [Fact]
    public void Matches_DotMember_ExactNameOnly()
    {
        Assert.True(Matches("$.timestamp", M("timestamp")));
        Assert.False(Matches("$.timestamp", M("Timestamp")));
        Assert.False(Matches("$.timestamp", M("timestamp"), M("x")));
        Assert.False(Matches("$.timestamp"));
    }

    [Theory]
    [InlineData("$['a.b']", "a.b")]
    [InlineData("$[\"a.b\"]", "a.b")]
    [InlineData("$['it\\'s']", "it's")]
    [InlineData("$[\"say \\\"hi\\\"\"]", "say \"hi\"")]
    [InlineData("$['back\\\\slash']", "back\\slash")]
    [InlineData("$['']", "")]
    [InlineData("$['0']", "0")]
    public void Matches_BracketName_AnyMemberName(string path, string name)
    {
        Assert.True(Matches(path, M(name)));
    }

    [Fact]
    public void Matches_QuotedDigits_MemberNotIndex()
    {
        Assert.False(Matches("$['0']", I(0)));
        Assert.False(Matches("$[0]", M("0")));
    }

    [Fact]
    public void Matches_Index_ThatElementOnly()
    {
        Assert.True(Matches("$.list[0]", M("list"), I(0)));
        Assert.False(Matches("$.list[0]", M("list"), I(1)));
        Assert.True(Matches("$[12]", I(12)));
    }

    [Fact]
    public void Matches_Wildcards_AnyElementOrMember()
    {
        Assert.True(Matches("$.items[*].id", M("items"), I(3), M("id")));
        Assert.True(Matches("$.items[*].id", M("items"), M("x"), M("id")));
        Assert.False(Matches("$.items[*].id", M("items"), M("id")));
        Assert.True(Matches("$.*.id", M("a"), M("id")));
        Assert.True(Matches("$.*", I(4)));
    }

    [Fact]
    public void Matches_RecursiveName_AtAnyDepth()
    {
        var path = JsonPath.Parse("$..id");
        Assert.True(path.Matches([M("id")]));
        Assert.True(path.Matches([M("a"), I(2), M("b"), M("id")]));
        Assert.False(path.Matches([M("id"), M("x")]));
        Assert.False(path.Matches([M("a")]));
    }

    [Fact]
    public void Matches_RecursiveThenChild_Backtracks()
    {
        var path = JsonPath.Parse("$..a.b");
        Assert.True(path.Matches([M("a"), M("a"), M("b")]));
        Assert.True(path.Matches([M("x"), M("a"), M("b")]));
        Assert.False(path.Matches([M("a"), M("b"), M("c")]));
        Assert.True(JsonPath.Parse("$..[1]").Matches([M("x"), I(1)]));
        Assert.True(JsonPath.Parse("$..['a b']").Matches([M("x"), M("a b")]));
        Assert.True(JsonPath.Parse("$..*").Matches([M("x"), I(1)]));
    }

    [Fact]
    public void Matches_ManyRecursiveSegmentsDeepPath_Linear()
    {
        // Backtracking would try about C(200, 8) ways here; the matcher takes one pass per segment.
        var path = JsonPath.Parse("$..*..*..*..*..*..*..*..x");
        var steps = Enumerable.Range(0, 200).Select(i => M("a")).ToArray();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 1000; i++)
        {
            Assert.False(path.Matches(steps));
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), watch.Elapsed.ToString());
        steps[^1] = M("x");
        Assert.True(path.Matches(steps));
        Assert.False(path.Matches(steps.AsSpan(0, 7).ToArray()));
    }

    [Fact]
    public void Matches_LongPath_HeapBuffers()
    {
        var steps = Enumerable.Range(0, 300).Select(i => I(0)).Append(M("id")).ToArray();
        Assert.True(JsonPath.Parse("$..id").Matches(steps));
        Assert.True(JsonPath.Parse("$[0]..[0].id").Matches(steps));
    }

    [Theory]
    [InlineData("", "it must start with $")]
    [InlineData("a.b", "it must start with $")]
    [InlineData("$.", "it ends after '.' (a member name or * was expected)")]
    [InlineData("$.a[", "unclosed [ at position 3")]
    [InlineData("$.a[1", "unclosed [ at position 3")]
    [InlineData("$.a[1x]", "unexpected 'x' at position 5 (] was expected)")]
    [InlineData("$.a[-1]", "unexpected '-' at position 4 (an index, * or a quoted name was expected inside [ ])")]
    [InlineData("$['a]", "unclosed string at position 2")]
    [InlineData("$['a'", "unclosed [ at position 1")]
    [InlineData("$['a\\n']", "unknown escape at position 4 (only \\', \\\" and \\\\ are known)")]
    [InlineData("$[*", "unclosed [ at position 1")]
    [InlineData("$[99999999999]", "the index at position 2 is too large")]
    [InlineData("$a", "unexpected 'a' at position 1 (. or [ was expected)")]
    [InlineData("$.a b", "unexpected ' ' at position 3 (. or [ was expected)")]
    [InlineData("$...a", "unexpected '.' at position 3 (a member name, * or [ was expected)")]
    [InlineData("$[?(@.a)]", "unexpected '?' at position 2 (an index, * or a quoted name was expected inside [ ])")]
    public void TryParse_Bad_SaysWhere(string text, string problem)
    {
        Assert.False(JsonPath.TryParse(text, out _, out var why));
        Assert.Equal(problem, why);
    }

    [Theory]
    [InlineData("$.items[2].price", "$.items[2].price")]
    [InlineData("$['a.b'][0]", "$['a.b'][0]")]
    [InlineData("$['it\\'s']", "$['it\\'s']")]
    public void Format_ReadsBack(string path, string expected)
    {
        var steps = path switch
        {
            "$.items[2].price" => new[] { M("items"), I(2), M("price") },
            "$['a.b'][0]" => [M("a.b"), I(0)],
            _ => [M("it's")],
        };
        Assert.Equal(expected, JsonPathSet.Format(steps));
        Assert.True(JsonPath.Parse(expected).Matches(steps));
    }
}
