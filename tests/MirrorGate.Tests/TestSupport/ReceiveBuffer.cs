using System.Net.Sockets;

namespace MirrorGate.Tests.TestSupport;

/// <summary>
/// The bytes a test server has received on one socket and not consumed yet: a parser looks at
/// <see cref="Data"/>, consumes what it understood, and receives more when that is not enough.
/// Grows when a whole unconsumed buffer is not enough (a long head, a large body read whole).
/// Shared by the unit tests' scripted mirror and the functional tests' raw mirror.
/// </summary>
internal sealed class ReceiveBuffer(Socket socket)
{
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    /// <summary>Received, not consumed yet.</summary>
    public ReadOnlySpan<byte> Data => _buffer.AsSpan(_start, _end - _start);

    public bool IsEmpty => _start == _end;

    public void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            _start = _end = 0;
        }
    }

    /// <summary>Receives more bytes after those kept; false at the end of the stream or when the connection went away.</summary>
    public async Task<bool> ReceiveAsync(CancellationToken cancellationToken)
    {
        if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            else
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
        }

        try
        {
            var read = await socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
            _end += read;
            return read > 0;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
    }
}
