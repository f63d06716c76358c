using Microsoft.AspNetCore.Http;
using MirrorGate.Mirroring.Compare;

namespace MirrorGate.Plugins.ProxyMirror;

/// <summary>
/// The primary's answer to a request that compared targets take: one response tee per request,
/// whatever the number of compared targets, whose capture is handed to each comparison (cut to
/// that target's <c>body_bytes</c>) when the response completes.
/// </summary>
internal sealed class ComparedResponse
{
    private PendingComparison? _first;
    private int _firstBytes;
    private List<(PendingComparison Comparison, int BodyBytes)>? _more;

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
    public void Add(PendingComparison comparison, int bodyBytes)
    {
        if (_first is null)
        {
            _first = comparison;
            _firstBytes = bodyBytes;
        }
        else
        {
            (_more ??= new(2)).Add((comparison, bodyBytes));
        }
    }

    private void Completed(CapturedResponse? primary)
    {
        Hand(_first, _firstBytes, primary);
        if (_more is { } more)
        {
            foreach (var (comparison, bytes) in more)
            {
                Hand(comparison, bytes, primary);
            }
        }
    }

    private static void Hand(PendingComparison? comparison, int bodyBytes, CapturedResponse? primary)
    {
        if (comparison is null)
        {
            return;
        }

        if (primary is null)
        {
            comparison.OnPrimaryIncomplete();
            return;
        }

        // Each target compares as much of the body as it keeps of its own answer.
        comparison.OnPrimary(primary.Body.Length <= bodyBytes ? primary : new CapturedResponse
        {
            Status = primary.Status,
            Headers = primary.Headers,
            Body = primary.Body[..bodyBytes],
            BodyLength = primary.BodyLength,
        });
    }
}
