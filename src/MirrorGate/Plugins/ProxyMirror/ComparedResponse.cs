using Microsoft.AspNetCore.Http;
using MirrorGate.Mirroring.Compare;

namespace MirrorGate.Plugins.ProxyMirror;

/// <summary>
/// The primary's answer to a request that compared targets take: one response tee per request,
/// whatever the number of compared targets, whose capture goes to each comparison when the
/// response completes. It is kept as far as the largest <c>body_bytes</c> of the route; a target
/// keeping less of its own answer compares the common prefix and the lengths, so it needs no cut
/// of its own (and a cut would be charged to the budget for less than the array it holds).
/// </summary>
internal sealed class ComparedResponse
{
    private PendingComparison? _first;
    private List<PendingComparison>? _more;

    private ComparedResponse()
    {
    }

    /// <param name="bodyBytes">The largest <c>body_bytes</c> of the route's compared targets.</param>
    public static ComparedResponse Install(HttpContext http, int bodyBytes)
    {
        var compared = new ComparedResponse();
        PrimaryResponseTee.Install(http, bodyBytes, compared.Completed);
        return compared;
    }

    /// <summary>Adds a comparison; called before the response starts (in before_proxy), so before <see cref="Completed"/>.</summary>
    public void Add(PendingComparison comparison)
    {
        if (_first is null)
        {
            _first = comparison;
        }
        else
        {
            (_more ??= new(2)).Add(comparison);
        }
    }

    private void Completed(CapturedResponse? primary)
    {
        Hand(_first, primary);
        if (_more is { } more)
        {
            foreach (var comparison in more)
            {
                Hand(comparison, primary);
            }
        }
    }

    private static void Hand(PendingComparison? comparison, CapturedResponse? primary)
    {
        if (primary is null)
        {
            comparison?.OnPrimaryIncomplete();
        }
        else
        {
            comparison?.OnPrimary(primary);
        }
    }
}
