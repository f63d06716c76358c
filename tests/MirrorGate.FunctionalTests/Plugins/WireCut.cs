using System.Globalization;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// A copy the raw mirror is told to cut in the middle of its body, through a header the test puts
/// on the primary request (a mirror gets the primary's headers), so one chosen copy among many is
/// cut whatever order the copies arrive in.
/// </summary>
/// <param name="Answer">Answer <c>200</c> with <c>Connection: close</c> before closing, or close without a word.</param>
/// <param name="AfterBodyBytes">Body bytes read before the cut.</param>
internal sealed record WireCut(bool Answer, long AfterBodyBytes)
{
    public const string Header = "X-Mirror-Cut";

    private const string AnswerClosePrefix = "answer-close@";
    private const string SilentPrefix = "silent@";

    /// <summary>Answer <c>200</c> with <c>Connection: close</c> after <paramref name="afterBodyBytes"/> body bytes, then close.</summary>
    public static string AnswerClose(long afterBodyBytes) => AnswerClosePrefix + afterBodyBytes.ToString(CultureInfo.InvariantCulture);

    /// <summary>Close without answering after <paramref name="afterBodyBytes"/> body bytes.</summary>
    public static string Silent(long afterBodyBytes) => SilentPrefix + afterBodyBytes.ToString(CultureInfo.InvariantCulture);

    public static WireCut? From(WireRequestHead head) => head.Header(Header) switch
    {
        null => null,
        { } v when v.StartsWith(AnswerClosePrefix, StringComparison.Ordinal) => new(true, long.Parse(v[AnswerClosePrefix.Length..], CultureInfo.InvariantCulture)),
        { } v when v.StartsWith(SilentPrefix, StringComparison.Ordinal) => new(false, long.Parse(v[SilentPrefix.Length..], CultureInfo.InvariantCulture)),
        { } v => throw new InvalidDataException($"unknown {Header}: {v}"),
    };
}
