using System.Text.RegularExpressions;

namespace MirrorGate.Configuration;

/// <summary>
/// The keys of APISIX's <c>config.yaml</c> that MirrorGate accepts without using them, read from
/// the embedded <c>ApisixKeys.txt</c> (data, not code: one dotted path a line). A key in a
/// config.yaml that MirrorGate neither reads nor finds here is a mistake and stops the load.
/// </summary>
internal static partial class ApisixKeys
{
    private const string ResourceName = "MirrorGate.Configuration.ApisixKeys.txt";

    private static readonly (HashSet<string> Keys, HashSet<string> FreeForm) List = Load();

    /// <summary>Every listed key path (without the <c>.*</c> marks), for suggestions.</summary>
    public static IEnumerable<string> Paths => List.Keys.Concat(List.FreeForm);

    /// <summary>
    /// True when <paramref name="keyPath"/> is APISIX's: listed, below a listed key, or directly in a
    /// section listed as free-form (<c>plugin_attr.*</c>).
    /// </summary>
    public static bool Covers(string keyPath)
    {
        var path = Normalize(keyPath);
        for (var p = path; p.Length > 0; p = Parent(p))
        {
            if (List.Keys.Contains(p))
            {
                return true;
            }
        }

        return List.FreeForm.Contains(Parent(path));
    }

    /// <summary><c>a.b[3].c</c> → <c>a.b[].c</c>: list positions do not matter to the list.</summary>
    public static string Normalize(string keyPath) => Index().Replace(keyPath, "[]");

    /// <summary><c>a.b[].c</c> → <c>a.b[]</c> → <c>a.b</c> → <c>a</c> → empty.</summary>
    public static string Parent(string keyPath)
    {
        var cut = Math.Max(keyPath.LastIndexOf('.'), keyPath.EndsWith("[]", StringComparison.Ordinal) ? keyPath.Length - 2 : -1);
        return cut < 0 ? string.Empty : keyPath[..cut];
    }

    /// <summary>The last name of a path: <c>apisix.node_listen</c> → <c>node_listen</c>.</summary>
    public static string Leaf(string keyPath) => keyPath[(keyPath.LastIndexOf('.') + 1)..];

    private static (HashSet<string>, HashSet<string>) Load()
    {
        using var stream = typeof(ApisixKeys).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
        using var reader = new StreamReader(stream);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var freeForm = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            var hash = line.IndexOf('#', StringComparison.Ordinal);
            var entry = (hash >= 0 ? line[..hash] : line).Trim();
            if (entry.Length == 0)
            {
                continue;
            }

            if (entry.EndsWith(".*", StringComparison.Ordinal))
            {
                freeForm.Add(entry[..^2]);
            }
            else
            {
                keys.Add(entry);
            }
        }

        return (keys, freeForm);
    }

    [GeneratedRegex(@"\[[0-9]+\]", RegexOptions.CultureInvariant)]
    private static partial Regex Index();
}
