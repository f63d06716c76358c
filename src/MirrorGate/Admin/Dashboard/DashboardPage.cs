using Microsoft.AspNetCore.Http;

namespace MirrorGate.Admin.Dashboard;

/// <summary>
/// Serves the dashboard page at <see cref="Path"/> on the Admin listener: three files embedded in
/// the assembly (no build step, nothing fetched from elsewhere, so it works offline). The page holds
/// no data, so it is served without a key; it asks for one and sends it on its own calls to
/// <c>/apisix/admin/mirror/dashboard</c>. The Admin listener's address and mirror-copy checks run
/// before this, as for every Admin call.
/// </summary>
internal sealed class DashboardPage
{
    /// <summary>Where APISIX serves its embedded UI on the Admin listener too.</summary>
    public const string Path = "/ui/";

    // The script and styles are files of the page's own origin: no inline script or style can run,
    // the page cannot be framed (clickjacking a key form), and the form can never submit itself
    // (a key must not end up in a URL even if the script failed to load).
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private readonly Dictionary<string, (byte[] Body, string ContentType)> _files = new(StringComparer.Ordinal)
    {
        [""] = (Load("index.html"), "text/html; charset=utf-8"),
        ["index.html"] = (Load("index.html"), "text/html; charset=utf-8"),
        ["dashboard.js"] = (Load("dashboard.js"), "text/javascript; charset=utf-8"),
        ["dashboard.css"] = (Load("dashboard.css"), "text/css; charset=utf-8"),
    };

    /// <summary>Whether <paramref name="path"/> is the page's (<c>/ui</c> or under <c>/ui/</c>).</summary>
    public static bool Owns(string path)
        => path.StartsWith(Path, StringComparison.Ordinal) || path == Path[..^1];

    public Task ServeAsync(HttpContext http)
    {
        var request = http.Request;
        var response = http.Response;

        // The page is not an Admin API answer: none of the API's CORS headers belong on it.
        response.Headers.Clear();
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.XFrameOptions = "DENY";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.CacheControl = "no-cache";

        var path = request.Path.Value ?? "";
        if (path.Length < Path.Length)
        {
            // Relative links in the page resolve against /ui/, not /.
            response.StatusCode = StatusCodes.Status301MovedPermanently;
            response.Headers.Location = Path;
            return Task.CompletedTask;
        }

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            response.Headers.Allow = "GET, HEAD";
            return AdminJson.ErrorAsync(http, StatusCodes.Status405MethodNotAllowed, $"method {request.Method} is not allowed on the dashboard page: it is read-only (GET)");
        }

        if (!_files.TryGetValue(path[Path.Length..], out var file))
        {
            return AdminJson.ErrorAsync(http, StatusCodes.Status404NotFound, "not found");
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = file.ContentType;
        response.ContentLength = file.Body.Length;
        return HttpMethods.IsHead(request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(file.Body, http.RequestAborted).AsTask();
    }

    private static byte[] Load(string name)
    {
        var resource = "MirrorGate.Dashboard." + name;
        using var stream = typeof(DashboardPage).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"the embedded dashboard file {resource} is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
