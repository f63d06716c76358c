namespace MirrorGate.Configuration;

/// <summary>
/// The node's id, as APISIX has one: <c>apisix.id</c> from config.yaml, else a UUID generated at
/// the first start and kept in <c>node_id</c> beside the database (APISIX keeps it in
/// <c>conf/apisix.uid</c>; MirrorGate leaves the conf directory to the user, as with the admin key).
/// Every mirror copy names its node with it, so the value must fit in a header.
/// </summary>
internal static class NodeIdBootstrap
{
    public const string FileName = "node_id";

    public const int MaxLength = 128;

    /// <summary>Visible ASCII without spaces, 1 to <see cref="MaxLength"/> characters: a header value that needs no quoting.</summary>
    public static bool IsValid(string id)
        => id.Length is >= 1 and <= MaxLength && id.AsSpan().IndexOfAnyExceptInRange('!', '~') < 0;

    /// <exception cref="ConfigException">The id file cannot be read or written, or holds a value that is not a valid id.</exception>
    public static NodeIdResult Resolve(NodeConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Id is { } configured)
        {
            return new NodeIdResult(configured, null, false);
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(config.Deployment.SqlitePath)) ?? Path.GetFullPath(".");
        var file = Path.Combine(directory, FileName);
        var (id, generated) = PrivateFile.ReadOrCreate(file, () => Guid.NewGuid().ToString("D"), "node id");
        if (!IsValid(id))
        {
            throw new ConfigException($"{file}: expected a node id of 1 to {MaxLength} visible ASCII characters without spaces; delete the file to generate a new one, or set apisix.id");
        }

        return new NodeIdResult(id, file, generated);
    }
}

/// <summary>The node's id, and where it came from (for the start-up log).</summary>
/// <param name="FilePath">The <c>node_id</c> file, or null when <c>apisix.id</c> set it.</param>
/// <param name="Generated">True when the id was created on this start rather than read back.</param>
internal sealed record NodeIdResult(string Id, string? FilePath, bool Generated);
