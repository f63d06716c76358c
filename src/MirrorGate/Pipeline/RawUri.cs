namespace MirrorGate.Pipeline;

/// <summary>Builds absolute URIs whose path and query are kept exactly as given (percent-encoding and dot segments untouched).</summary>
internal static class RawUri
{
    private static readonly UriCreationOptions Verbatim = new() { DangerousDisablePathAndQueryCanonicalization = true };

    public static Uri Create(string absolute) => new(absolute, in Verbatim);
}
