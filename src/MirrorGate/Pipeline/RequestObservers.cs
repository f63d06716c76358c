namespace MirrorGate.Pipeline;

/// <summary>The node's <see cref="ICompletedRequestObserver"/>s, fixed at start-up; empty costs the proxy nothing.</summary>
internal sealed class RequestObservers
{
    private readonly ICompletedRequestObserver[] _observers;

    public RequestObservers(IEnumerable<ICompletedRequestObserver> observers, RequestCounts? counts = null)
    {
        _observers = [.. observers];
        Counts = counts ?? new RequestCounts();
        Any = _observers.Length > 0;
        NeedsByteCounts = Array.Exists(_observers, o => o.NeedsByteCounts);
    }

    public bool Any { get; }

    public bool NeedsByteCounts { get; }

    public RequestCounts Counts { get; }

    public void Started() => Counts.OnStarted();

    public void Notify(in CompletedRequest request)
    {
        Counts.OnCompleted();
        foreach (var observer in _observers)
        {
            try
            {
                observer.OnCompleted(request);
            }
            catch (Exception)
            {
                // An access log or a metric must never turn into the request's failure; the
                // observers count and report their own problems.
            }
        }
    }
}
