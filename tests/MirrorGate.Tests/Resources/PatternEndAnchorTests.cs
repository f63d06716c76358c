using System.Text.RegularExpressions;
using MirrorGate.Resources;

namespace MirrorGate.Tests.Resources;

public sealed class PatternEndAnchorTests
{
    [Theory]
    [InlineData("^a$", @"^a\z")]
    [InlineData(@"^\*$|^\*?[0-9a-zA-Z-._\[\]:]+$", @"^\*\z|^\*?[0-9a-zA-Z-._\[\]:]+\z")]
    [InlineData(@"^a\$", @"^a\$")]
    [InlineData("^[$]+$", @"^[$]+\z")]
    [InlineData("^[]$]$", @"^[]$]\z")]
    [InlineData("^[^]$]$", @"^[^]$]\z")]
    [InlineData("^no-end", "^no-end")]
    [InlineData("(?m)^a$", "(?m)^a$")]
    [InlineData("(?i-m)^a$", @"(?i-m)^a\z")]
    public void ToTrueEnd_Pattern_RewritesOnlyEndAnchors(string pattern, string expected) =>
        Assert.Equal(expected, PatternEndAnchor.ToTrueEnd(pattern));

    [Theory]
    [InlineData("^[a-z]+$", "abc", true)]
    [InlineData("^[a-z]+$", "abc\n", false)]
    [InlineData("^[$]+$", "$$", true)]
    [InlineData("^[$]+$", "$$\n", false)]
    public void ToTrueEnd_Compiled_RefusesFinalNewline(string pattern, string input, bool matches) =>
        Assert.Equal(matches, Regex.IsMatch(input, PatternEndAnchor.ToTrueEnd(pattern)));
}
