using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;

namespace MirrorGate.FunctionalTests.Plugins.GrpcWeb;

/// <summary>
/// A gRPC-Web client's side of the wire, written out by hand (as curl would send it): length-prefixed
/// frames, base64 text mode, and the answer split into its data frames and its trailer frame.
/// </summary>
internal static class GrpcWebWire
{
    /// <summary>One uncompressed gRPC frame: flag 0, big-endian length, the message.</summary>
    public static byte[] Frame(IMessage message)
    {
        var payload = message.ToByteArray();
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1, 4), payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    /// <summary>
    /// A text-mode answer back to bytes. The gateway encodes each piece it writes on its own (with
    /// padding), as gRPC-Web clients expect: decoded segment by segment, like they do.
    /// </summary>
    public static byte[] DecodeText(string text)
    {
        var result = new List<byte>();
        var start = 0;
        for (var i = 3; i < text.Length; i += 4)
        {
            if (text[i] == '=')
            {
                result.AddRange(Convert.FromBase64String(text[start..(i + 1)]));
                start = i + 1;
            }
        }

        result.AddRange(Convert.FromBase64String(text[start..]));
        return result.ToArray();
    }

    /// <summary>The data frames' messages and the trailer frame's text (null when there is none).</summary>
    public static (List<byte[]> Messages, string? Trailer) Split(byte[] body)
    {
        var messages = new List<byte[]>();
        string? trailer = null;
        var offset = 0;
        while (offset < body.Length)
        {
            Assert.True(body.Length - offset >= 5, $"a frame head is cut short at {offset} of {body.Length}");
            var flag = body[offset];
            var length = BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(offset + 1, 4));
            Assert.True(body.Length - offset - 5 >= length, $"a frame body is cut short at {offset}");
            var payload = body.AsSpan(offset + 5, length).ToArray();
            if (flag == 0x80)
            {
                Assert.Null(trailer); // one trailer frame, and it is the last
                trailer = Encoding.ASCII.GetString(payload);
            }
            else
            {
                Assert.Equal(0, flag);
                Assert.Null(trailer);
                messages.Add(payload);
            }

            offset += 5 + length;
        }

        return (messages, trailer);
    }
}
