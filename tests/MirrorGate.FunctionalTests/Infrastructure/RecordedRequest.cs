namespace MirrorGate.FunctionalTests.Infrastructure;

/// <summary>One request as a test server received it.</summary>
internal sealed record RecordedRequest(
    string Method,
    string RawTarget,
    string Protocol,
    IReadOnlyDictionary<string, string> Headers,
    byte[] Body,
    bool BodyComplete,
    string ConnectionId = "",
    string Scheme = "http")
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
