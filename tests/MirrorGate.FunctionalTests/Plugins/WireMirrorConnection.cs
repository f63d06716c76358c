using System.Globalization;
using System.Net.Sockets;
using MirrorGate.FunctionalTests.Infrastructure;

namespace MirrorGate.FunctionalTests.Plugins;

/// <summary>
/// One connection of a <see cref="WireMirror"/>: requests are read in order and each is answered
/// before the next is read, so answers go back in the order HTTP/1.1 pipelining needs.
/// </summary>
internal sealed class WireMirrorConnection(WireMirror mirror, Socket socket, int index)
{
    /// <summary>How long a closing connection keeps reading (and dropping) what the client still sends.</summary>
    private static readonly TimeSpan LingerLimit = TimeSpan.FromSeconds(15);

    private static readonly byte[] Ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray();
    private static readonly byte[] OkAndClose = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray();

    private readonly WireRequestReader _reader = new(socket);

    public async Task RunAsync(CancellationToken stop)
    {
        try
        {
            for (var served = 1; ; served++)
            {
                var head = await _reader.ReadHeadAsync(stop);
                if (head is null)
                {
                    return;
                }

                if (!await ServeAsync(head, served == mirror.Options.KeepAliveRequests, stop))
                {
                    return;
                }
            }
        }
        catch (InvalidDataException ex)
        {
            mirror.Fault($"connection {index}: {ex.Message}");
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The gateway or the test ended the connection while an answer was written.
        }
        finally
        {
            socket.Dispose();
        }
    }

    /// <summary>Reads one request's body, answering where it is told to; false when the connection is done.</summary>
    private async Task<bool> ServeAsync(WireRequestHead head, bool lastOnConnection, CancellationToken stop)
    {
        var cut = WireCut.From(head);
        var decoder = WireBodyDecoder.For(head);
        var body = new MemoryStream();
        var answerAt = cut?.AfterBodyBytes ?? mirror.Options.AnswerAfterBodyBytes ?? long.MaxValue;
        var progress = await _reader.ReadBodyAsync(decoder, body, answerAt, stop);
        if (progress == BodyProgress.ConnectionEnded)
        {
            Record(head, body, complete: false);
            return false;
        }

        if (cut is not null)
        {
            // Cut here: what was read is all this copy gets. A server that stops reading a body
            // answers (or not) and closes, reading and dropping what still comes so that its
            // answer is not lost to a reset.
            Record(head, body, decoder.Done);
            if (cut.Answer)
            {
                await socket.SendAsync(OkAndClose, SocketFlags.None, stop);
            }

            await LingerAsync(decoder, stop);
            return false;
        }

        await socket.SendAsync(lastOnConnection ? OkAndClose : Ok, SocketFlags.None, stop);
        progress = await _reader.ReadBodyAsync(decoder, body, long.MaxValue, stop);
        Record(head, body, progress == BodyProgress.Complete);
        if (progress == BodyProgress.ConnectionEnded)
        {
            return false;
        }

        if (lastOnConnection)
        {
            mirror.ClosedAtKeepAliveLimit();
            await LingerAsync(null, stop);
            return false;
        }

        return true;
    }

    private void Record(WireRequestHead head, MemoryStream body, bool complete)
        => mirror.Record(new RecordedRequest(
            head.Method, head.Target, head.Version, head.Headers, body.ToArray(), complete, index.ToString(CultureInfo.InvariantCulture)));

    /// <summary>
    /// nginx's lingering close: FIN, then read until the client closes too (bounded). Nothing read
    /// then is served; the rest of a body cut short (<paramref name="unfinished"/>) is skipped,
    /// and every request after it is recorded as lingered: the client wrote it after the mirror
    /// had stopped (<see cref="WireMirror.Lingered"/>, a head cut short by the client's close
    /// counted in <see cref="WireMirror.LingeredHeadsCut"/>).
    /// </summary>
    private async Task LingerAsync(WireBodyDecoder? unfinished, CancellationToken stop)
    {
        socket.Shutdown(SocketShutdown.Send);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(stop);
        limit.CancelAfter(LingerLimit);
        try
        {
            if (unfinished is not null && await _reader.ReadBodyAsync(unfinished, Stream.Null, long.MaxValue, limit.Token) != BodyProgress.Complete)
            {
                return;
            }

            while (await _reader.ReadHeadAsync(limit.Token) is { } head)
            {
                var decoder = WireBodyDecoder.For(head);
                var body = new MemoryStream();
                var progress = await _reader.ReadBodyAsync(decoder, body, long.MaxValue, limit.Token);
                mirror.RecordLingered(new RecordedRequest(
                    head.Method, head.Target, head.Version, head.Headers, body.ToArray(), progress == BodyProgress.Complete, index.ToString(CultureInfo.InvariantCulture)));
                if (progress != BodyProgress.Complete)
                {
                    return;
                }
            }
        }
        catch (InvalidDataException)
        {
            // The client closed inside a request head.
            mirror.LingeredHeadCut();
        }
    }
}
