using System.Buffers.Binary;
using System.Text;

namespace MirrorGate.Plugins.GrpcWeb;

/// <summary>
/// The gRPC-Web trailer frame APISIX appends to the body: flag byte <c>0x80</c>, the length in four
/// big-endian bytes, then <c>grpc-status:&lt;code&gt;\r\ngrpc-message:&lt;message&gt;\r\n</c>.
/// Without a status from the upstream it says 2 (UNKNOWN), "upstream grpc status not received".
/// </summary>
internal static class GrpcWebTrailerFrame
{
    public const byte TrailerFlag = 0x80;

    public const string NoStatusMessage = "upstream grpc status not received";

    public static byte[] Build(string? status, string? message)
    {
        var received = !string.IsNullOrEmpty(status);
        var text = $"grpc-status:{(received ? status : "2")}\r\ngrpc-message:{(received ? message : NoStatusMessage)}\r\n";
        var length = Encoding.UTF8.GetByteCount(text);
        var frame = new byte[5 + length];
        frame[0] = TrailerFlag;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1, 4), length);
        Encoding.UTF8.GetBytes(text, frame.AsSpan(5));
        return frame;
    }
}
