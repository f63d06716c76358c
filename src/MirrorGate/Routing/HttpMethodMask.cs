namespace MirrorGate.Routing;

/// <summary>
/// The methods a route accepts, as bits, so the match path compares an int instead of walking a list.
/// The set is APISIX's route schema enum; names are case-sensitive as in APISIX.
/// </summary>
[Flags]
internal enum HttpMethodMask
{
    None = 0,
    Get = 1 << 0,
    Post = 1 << 1,
    Put = 1 << 2,
    Delete = 1 << 3,
    Patch = 1 << 4,
    Head = 1 << 5,
    Options = 1 << 6,
    Connect = 1 << 7,
    Trace = 1 << 8,
    Purge = 1 << 9,
}

internal static class HttpMethodMasks
{
    /// <summary>Maps a method name to its bit; unknown names map to <see cref="HttpMethodMask.None"/>, which no route accepts.</summary>
    public static HttpMethodMask From(string? method) => method switch
    {
        "GET" => HttpMethodMask.Get,
        "POST" => HttpMethodMask.Post,
        "PUT" => HttpMethodMask.Put,
        "DELETE" => HttpMethodMask.Delete,
        "PATCH" => HttpMethodMask.Patch,
        "HEAD" => HttpMethodMask.Head,
        "OPTIONS" => HttpMethodMask.Options,
        "CONNECT" => HttpMethodMask.Connect,
        "TRACE" => HttpMethodMask.Trace,
        "PURGE" => HttpMethodMask.Purge,
        _ => HttpMethodMask.None,
    };
}
