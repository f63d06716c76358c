using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace MirrorGate.Pipeline;

/// <summary>
/// Stands in for the server's response body feature and counts the body bytes written through
/// its stream (what YARP's forwarder uses), its pipe writer, or a sent file.
/// </summary>
internal sealed class CountingResponseBodyFeature(IHttpResponseBodyFeature inner) : IHttpResponseBodyFeature
{
    private CountingWriteStream? _stream;
    private CountingPipeWriter? _writer;
    private long _sentFileBytes;

    public long Count => (_stream?.Count ?? 0) + (_writer?.Count ?? 0) + _sentFileBytes;

    public Stream Stream => _stream ??= new CountingWriteStream(inner.Stream);

    public PipeWriter Writer => _writer ??= new CountingPipeWriter(inner.Writer);

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task CompleteAsync() => inner.CompleteAsync();

    public void DisableBuffering() => inner.DisableBuffering();

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        // Counted as asked for: a file cut short fails the response, which the log shows by its status.
        _sentFileBytes += count ?? Math.Max(0, new FileInfo(path).Length - offset);
        return inner.SendFileAsync(path, offset, count, cancellationToken);
    }
}
