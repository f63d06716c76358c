namespace MirrorGate.Pipeline;

/// <summary>What a plugin phase decided: go on, or answer the client now with a status and body.</summary>
internal readonly struct PhaseResult
{
    public static readonly PhaseResult Continue = default;

    public static readonly ValueTask<PhaseResult> ContinueTask = new(Continue);

    private PhaseResult(int statusCode, string? body)
    {
        StatusCode = statusCode;
        Body = body;
    }

    /// <summary>0 means continue.</summary>
    public int StatusCode { get; }

    /// <summary>Response body (JSON or text) when the phase ends the request.</summary>
    public string? Body { get; }

    public bool IsContinue => StatusCode == 0;

    public static PhaseResult Respond(int statusCode, string? body = null) => new(statusCode, body);
}
