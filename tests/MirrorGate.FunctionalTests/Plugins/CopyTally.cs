using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// What a mirror received, copy by copy: each copy's verdict, how often each id arrived (a copy
/// sent twice arrives twice), and a description for failure messages that names the bad copies.
/// </summary>
internal sealed class CopyTally
{
    private readonly (string Id, CopyVerdict Verdict, string Connection, int Bytes)[] _copies;
    private readonly IReadOnlyList<string> _faults;

    private CopyTally((string, CopyVerdict, string, int)[] copies, IReadOnlyList<string> faults)
    {
        _copies = copies;
        _faults = faults;
    }

    public static CopyTally Of(IEnumerable<RecordedRequest> requests, IReadOnlyList<string>? faults = null)
        => new([.. requests.Select(r => (DigestedCopy.Id(r) ?? "(no id)", DigestedCopy.Verdict(r), r.ConnectionId, r.Body.Length))], faults ?? []);

    public static CopyTally Of(WireMirror mirror) => Of(mirror.Requests, mirror.Faults);

    public int Total => _copies.Length;

    public int Exact => Count(CopyVerdict.Exact);

    public int Altered => Count(CopyVerdict.Altered);

    public int Incomplete => Count(CopyVerdict.Incomplete);

    /// <summary>Bytes that were not a request where one should start (raw mirrors only).</summary>
    public int Faults => _faults.Count;

    public int Count(CopyVerdict verdict) => _copies.Count(c => c.Verdict == verdict);

    /// <summary>The verdict of each arrival of <paramref name="id"/>, in arrival order.</summary>
    public CopyVerdict[] ArrivalsOf(string id) => [.. _copies.Where(c => c.Id == id).Select(c => c.Verdict)];

    /// <summary>Ids that arrived more than once.</summary>
    public string[] Repeated => [.. _copies.GroupBy(c => c.Id).Where(g => g.Count() > 1).Select(g => g.Key)];

    /// <summary>Which of <paramref name="ids"/> never arrived.</summary>
    public string[] Missing(IEnumerable<string> ids)
    {
        var arrived = _copies.Select(c => c.Id).ToHashSet();
        return [.. ids.Where(id => !arrived.Contains(id))];
    }

    /// <summary>Counts, then every copy that is not exact or arrived more than once, then the faults.</summary>
    public string Describe()
    {
        var repeated = Repeated.ToHashSet();
        var odd = _copies
            .Where(c => c.Verdict != CopyVerdict.Exact || repeated.Contains(c.Id))
            .Take(20)
            .Select(c => $"{c.Id}: {c.Verdict}, {c.Bytes} bytes on connection {c.Connection}");
        return $"mirror got {Total} copies: {Exact} exact, {Altered} altered, {Incomplete} incomplete; "
               + $"repeated ids: [{string.Join(", ", Repeated)}]; faults: [{string.Join("; ", _faults)}]"
               + (odd.Any() ? "\n  " + string.Join("\n  ", odd) : "");
    }
}
