namespace MirrorGate.Observability.AccessLog;

/// <summary>
/// One piece of a compiled format: literal text (already UTF-8) or a variable. For the
/// <c>$http_*</c>/<c>$sent_http_*</c>/<c>$arg_*</c> families, <see cref="Name"/> is the header
/// (dashes restored, e.g. <c>user-agent</c>) or argument name.
/// </summary>
internal sealed class AccessLogSegment
{
    private AccessLogSegment(byte[]? literal, AccessLogVariable variable, string? name)
    {
        Literal = literal;
        Variable = variable;
        Name = name;
    }

    /// <summary>The literal bytes; null for a variable.</summary>
    public byte[]? Literal { get; }

    public AccessLogVariable Variable { get; }

    public string? Name { get; }

    public static AccessLogSegment Text(byte[] utf8) => new(utf8, default, null);

    public static AccessLogSegment Of(AccessLogVariable variable, string? name = null) => new(null, variable, name);
}
