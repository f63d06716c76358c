using MirrorGate.Routing;

namespace MirrorGate.Pipeline;

/// <summary>
/// A plugin whose config carries APISIX's <c>_meta.filter</c> or <c>_meta.error_response</c>.
/// Only such plugins are wrapped, so a chain without them pays nothing per request.
/// The filter is evaluated the first time any phase of the plugin would run and the verdict is
/// kept for the request's other phases (APISIX caches it in <c>ctx</c> the same way); an
/// error response replaces the body of any answer of 400 or more the plugin makes, "so the
/// caller can't guess the real error".
/// </summary>
internal sealed class MetaPluginHandler(PluginHandler inner, int slot, int chainLength, VarsExpression? filter, string? errorResponse, bool inGlobalChain = false) : PluginHandler
{
    public PluginHandler Inner => inner;

    public override bool HasBeforeProxy => inner.HasBeforeProxy;

    public override bool HasLog => inner.HasLog;

    public override bool HasHeaderFilter => inner.HasHeaderFilter;

    public override ValueTask<PhaseResult> RewriteAsync(ProxyContext context)
        => Runs(context) ? Replace(inner.RewriteAsync(context)) : PhaseResult.ContinueTask;

    public override ValueTask<PhaseResult> AccessAsync(ProxyContext context)
        => Runs(context) ? Replace(inner.AccessAsync(context)) : PhaseResult.ContinueTask;

    public override void BeforeProxy(ProxyContext context)
    {
        if (Runs(context))
        {
            inner.BeforeProxy(context);
        }
    }

    public override void HeaderFilter(ProxyContext context)
    {
        if (Runs(context))
        {
            inner.HeaderFilter(context);
        }
    }

    public override void Log(ProxyContext context)
    {
        if (Runs(context))
        {
            inner.Log(context);
        }
    }

    private bool Runs(ProxyContext context)
    {
        if (filter is null)
        {
            return true;
        }

        var verdicts = inGlobalChain
            ? context.GlobalFilterVerdicts ??= new MetaFilterVerdict[chainLength]
            : context.FilterVerdicts ??= new MetaFilterVerdict[chainLength];
        if (verdicts[slot] == MetaFilterVerdict.NotEvaluated)
        {
            verdicts[slot] = filter.Evaluate(context.HttpContext) ? MetaFilterVerdict.Runs : MetaFilterVerdict.Skipped;
        }

        return verdicts[slot] == MetaFilterVerdict.Runs;
    }

    private ValueTask<PhaseResult> Replace(ValueTask<PhaseResult> phase)
    {
        if (errorResponse is null)
        {
            return phase;
        }

        if (phase.IsCompletedSuccessfully)
        {
            return new ValueTask<PhaseResult>(Replace(phase.Result));
        }

        return ReplaceAsync(phase);
    }

    private async ValueTask<PhaseResult> ReplaceAsync(ValueTask<PhaseResult> phase) => Replace(await phase.ConfigureAwait(false));

    private PhaseResult Replace(PhaseResult result)
        => result.StatusCode >= 400 ? PhaseResult.Respond(result.StatusCode, errorResponse) : result;
}
