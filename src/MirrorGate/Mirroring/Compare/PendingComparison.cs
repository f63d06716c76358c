namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// One compared request waiting for its answers: the primary's (from the response capture), the
/// target's and, with a noise host, the noise host's (each through an <see cref="IMirrorAnswerSink"/>).
/// Each answer is admitted against the node's <see cref="CompareBudget"/> as it arrives (one that
/// does not fit is let go at once); when the last one is in, the comparison runs on the thread
/// pool (sinks are called on mirror connection threads and must return quickly), is recorded in
/// <see cref="CompareResults"/>, and every reserved byte is given back. Each part must be settled
/// exactly once; which part settles last does not matter.
/// </summary>
internal sealed class PendingComparison
{
    private readonly CompareResults _results;
    private readonly CompareBudget _budget;
    private readonly CompareOptions _options;
    private readonly TimeProvider _time;
    private readonly string _routeId;
    private readonly string _target;
    private readonly string _method;
    private readonly string _pathAndQuery;
    private readonly Action? _finished;

    private readonly Part _primary = new();
    private readonly Part _candidate = new();
    private readonly Part? _noise;
    private int _unsettled;

    /// <param name="pathAndQuery">The copy's path and query as sent to the target (for the mismatch record).</param>
    /// <param name="finished">Called once the result is recorded and the budget given back (tests await it).</param>
    public PendingComparison(
        CompareResults results, CompareBudget budget, CompareOptions options, TimeProvider time,
        string routeId, string target, string method, string pathAndQuery, Action? finished = null)
    {
        _finished = finished;
        _results = results;
        _budget = budget;
        _options = options;
        _time = time;
        _routeId = routeId;
        _target = target;
        _method = method;
        _pathAndQuery = pathAndQuery;
        _noise = options.NoiseHost is null ? null : new Part();
        _unsettled = _noise is null ? 2 : 3;
        Candidate = new Sink(this, _candidate);
        Noise = _noise is null ? null : new Sink(this, _noise);
    }

    /// <summary>Give to the target's copy (<see cref="MirrorRequest.AnswerSink"/>).</summary>
    public IMirrorAnswerSink Candidate { get; }

    /// <summary>Give to the noise host's copy; null when the target has no <c>noise_host</c>.</summary>
    public IMirrorAnswerSink? Noise { get; }

    /// <summary>The primary's answer, complete, as the client got it.</summary>
    public void OnPrimary(CapturedResponse primary) => Settle(_primary, primary);

    /// <summary>The primary's answer did not complete (client gone, response aborted).</summary>
    public void OnPrimaryIncomplete() => Settle(_primary, null);

    /// <summary>Bytes an answer holds, as the budget counts them: the kept body and the headers' characters.</summary>
    internal static long SizeOf(CapturedResponse answer)
    {
        long size = answer.Body.Length;
        foreach (var (name, values) in answer.Headers ?? [])
        {
            size += (name?.Length ?? 0) * sizeof(char);
            foreach (var value in values ?? [])
            {
                size += (value?.Length ?? 0) * sizeof(char);
            }
        }

        return size;
    }

    private void Settle(Part part, CapturedResponse? answer)
    {
        if (Interlocked.Exchange(ref part.Settled, 1) != 0)
        {
            // Settled twice is a caller's bug; counting it again would finish early and release twice.
            return;
        }

        if (answer is not null)
        {
            var size = SizeOf(answer);
            if (_budget.TryReserve(size))
            {
                part.Answer = answer;
                part.Reserved = size;
            }
            else
            {
                part.OverBudget = true;
            }
        }

        // The last part in finishes; the interlocked decrement publishes every part's fields to it.
        if (Interlocked.Decrement(ref _unsettled) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static p => p.Finish(), this, preferLocal: false);
        }
    }

    private void Finish()
    {
        try
        {
            if (SkipReason() is { } reason)
            {
                _results.Skipped(_routeId, _target, reason);
                return;
            }

            var primary = _primary.Answer!;
            var candidate = _candidate.Answer!;
            var noise = _noise?.Answer;
            var outcome = ResponseComparer.Compare(primary, candidate, noise, _options);
            var record = outcome.Result == CompareResult.Mismatch
                ? MismatchRecord.Create(_time.GetUtcNow(), _routeId, _target, _method, _pathAndQuery, primary, candidate, noise, outcome)
                : null;
            _results.Record(_routeId, _target, outcome, record, _options.KeepMismatches);
        }
        finally
        {
            _budget.Release(_primary.Reserved + _candidate.Reserved + (_noise?.Reserved ?? 0));
            _finished?.Invoke();
        }
    }

    private string? SkipReason()
    {
        // What went wrong first in the request's life is named: the primary, the target, the noise host, then memory.
        if (_primary.Answer is null && !_primary.OverBudget)
        {
            return CompareResults.SkipReasons.PrimaryIncomplete;
        }

        if (_candidate.Answer is null && !_candidate.OverBudget)
        {
            return CompareResults.SkipReasons.NoAnswer;
        }

        if (_noise is not null && _noise.Answer is null && !_noise.OverBudget)
        {
            return CompareResults.SkipReasons.NoiseNoAnswer;
        }

        if (_primary.OverBudget || _candidate.OverBudget || _noise?.OverBudget == true)
        {
            return CompareResults.SkipReasons.Budget;
        }

        return null;
    }

    private sealed class Part
    {
        public CapturedResponse? Answer;
        public long Reserved;
        public bool OverBudget;
        public int Settled;
    }

    private sealed class Sink(PendingComparison owner, Part part) : IMirrorAnswerSink
    {
        public int MaxBodyBytes => owner._options.BodyBytes;

        public void OnAnswer(CapturedResponse answer) => owner.Settle(part, answer);

        public void OnNoAnswer(string reason) => owner.Settle(part, null);
    }
}
