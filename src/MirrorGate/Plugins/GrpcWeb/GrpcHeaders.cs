namespace MirrorGate.Plugins.GrpcWeb;

/// <summary>The gRPC metadata names the trailer frame carries.</summary>
internal static class GrpcHeaders
{
    public const string Status = "grpc-status";

    public const string Message = "grpc-message";
}
