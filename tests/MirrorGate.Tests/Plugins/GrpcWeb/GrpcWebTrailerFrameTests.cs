using System.Text;
using MirrorGate.Plugins.GrpcWeb;

namespace MirrorGate.Tests.Plugins.GrpcWeb;

public sealed class GrpcWebTrailerFrameTests
{
    [Fact]
    public void Build_Status0_ApisixLayout()
    {
        var frame = GrpcWebTrailerFrame.Build("0", "");

        const string text = "grpc-status:0\r\ngrpc-message:\r\n";
        Assert.Equal(new byte[] { 0x80, 0, 0, 0, (byte)text.Length }, frame[..5]);
        Assert.Equal(text, Encoding.ASCII.GetString(frame, 5, frame.Length - 5));
    }

    [Fact]
    public void Build_ErrorWithMessage_Carried()
        => Assert.Equal("grpc-status:13\r\ngrpc-message:expected%20error\r\n", Encoding.ASCII.GetString(GrpcWebTrailerFrame.Build("13", "expected%20error")[5..]));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Build_NoStatus_Unknown(string? status)
        => Assert.Equal("grpc-status:2\r\ngrpc-message:upstream grpc status not received\r\n", Encoding.ASCII.GetString(GrpcWebTrailerFrame.Build(status, "ignored")[5..]));

    [Fact]
    public void Build_LongMessage_FourByteBigEndianLength()
    {
        var frame = GrpcWebTrailerFrame.Build("3", new string('m', 70000));

        var length = (frame[1] << 24) | (frame[2] << 16) | (frame[3] << 8) | frame[4];
        Assert.Equal(frame.Length - 5, length);
        Assert.Equal(70000 + "grpc-status:3\r\ngrpc-message:\r\n".Length, length);
    }
}
