using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace MirrorGate.Tests.Docs;

/// <summary>docs/configuration.md's event-id table lists every log event the gateway has, with its level.</summary>
public sealed partial class EventIdDocsTests
{
    private static readonly Assembly[] Assemblies = [typeof(MirrorGate.Hosting.MirrorGateHost).Assembly, typeof(MirrorGate.Etcd.EtcdStoreProvider).Assembly];

    [Fact]
    public void ConfigurationMd_EventIdTable_MatchesEveryLoggerMessageInTheSource()
    {
        var inSource = Assemblies
            .SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .GroupBy(x => x.Attribute!.EventId)
            .ToDictionary(g => g.Key, g => g.Select(x => x.Attribute!.Level).Distinct().ToArray());

        var documented = new Dictionary<int, string>();
        foreach (var line in File.ReadLines(RepoFile("docs/configuration.md")))
        {
            var row = Row().Match(line);
            if (row.Success)
            {
                Assert.True(documented.TryAdd(int.Parse(row.Groups["id"].Value), row.Groups["level"].Value), $"event id {row.Groups["id"].Value} is listed twice");
            }
        }

        Assert.NotEmpty(inSource);
        var missing = inSource.Keys.Except(documented.Keys).Order().ToArray();
        Assert.True(missing.Length == 0, $"event ids logged but not in docs/configuration.md's table: {string.Join(", ", missing)}");
        var stale = documented.Keys.Except(inSource.Keys).Order().ToArray();
        Assert.True(stale.Length == 0, $"event ids in docs/configuration.md's table that nothing logs: {string.Join(", ", stale)}");
        foreach (var (id, levels) in inSource)
        {
            Assert.True(levels.Select(l => l.ToString()).Contains(documented[id]), $"event id {id}: the table says {documented[id]}, the source logs {string.Join("/", levels)}");
        }
    }

    private static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MirrorGate.slnx")))
            {
                return Path.Combine(dir.FullName, relative);
            }
        }

        throw new InvalidOperationException("repository root (MirrorGate.slnx) not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A table row <c>| 2001 | Warning | ... |</c>.</summary>
    [GeneratedRegex(@"^\|\s*(?<id>\d+)\s*\|\s*(?<level>Trace|Debug|Information|Warning|Error|Critical)\s*\|")]
    private static partial Regex Row();
}
