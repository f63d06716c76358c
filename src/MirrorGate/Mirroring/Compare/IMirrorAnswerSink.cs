namespace MirrorGate.Mirroring.Compare;

/// <summary>
/// Where the mirror's answer to a compared copy goes. A copy that carries a sink (see
/// <see cref="MirrorRequest.AnswerSink"/>) has its answer kept: status, headers and the first
/// <see cref="MaxBodyBytes"/> of the body, read to its end. The sink is told exactly once, when
/// the copy settles: <see cref="OnAnswer"/> when it was answered, <see cref="OnNoAnswer"/> when it
/// failed or was dropped. It is called on a mirror connection's thread and must return quickly.
/// </summary>
internal interface IMirrorAnswerSink
{
    /// <summary>Body bytes to keep; the rest of the body is read and counted, not kept.</summary>
    int MaxBodyBytes { get; }

    void OnAnswer(CapturedResponse answer);

    /// <param name="reason">The failed or dropped reason (<see cref="MirrorReasons"/>).</param>
    void OnNoAnswer(string reason);
}
