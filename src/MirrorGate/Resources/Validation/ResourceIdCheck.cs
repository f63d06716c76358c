namespace MirrorGate.Resources.Validation;

/// <summary>
/// Ids the Admin API could store but never name again: APISIX's id pattern
/// (<c>^[a-zA-Z0-9-_.]+$</c>) admits <c>.</c> and <c>..</c>, which a URL path cannot carry as a
/// segment (clients and servers remove dot segments), so such an item could not be read, changed
/// or deleted. Checked where ids enter the store (Admin API writes, imports); items already stored
/// are still served.
/// </summary>
internal static class ResourceIdCheck
{
    /// <summary>Null when <paramref name="id"/> is usable, else the full <c>error_msg</c>.</summary>
    public static string? Check(string id) =>
        id.Length > 0 && id.AsSpan().IndexOfAnyExcept('.') < 0
            ? $"invalid configuration: property \"id\" validation failed: an id made only of dots (\"{id}\") cannot be used in a URL"
            : null;
}
