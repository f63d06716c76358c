namespace MirrorGate.Plugins.GrpcWeb;

/// <summary>How a gRPC-Web request and its answer carry the gRPC frames.</summary>
internal enum GrpcWebEncoding
{
    /// <summary><c>application/grpc-web</c>, <c>application/grpc-web+proto</c>: the frames as they are.</summary>
    Binary,

    /// <summary><c>application/grpc-web-text</c>, <c>application/grpc-web-text+proto</c>: the frames in base64.</summary>
    Base64,
}

/// <summary>The four content types APISIX accepts, matched exactly as APISIX's table lookup does (no parameters).</summary>
internal static class GrpcWebContentTypes
{
    public static GrpcWebEncoding? EncodingOf(string? contentType) => contentType switch
    {
        "application/grpc-web" or "application/grpc-web+proto" => GrpcWebEncoding.Binary,
        "application/grpc-web-text" or "application/grpc-web-text+proto" => GrpcWebEncoding.Base64,
        _ => null,
    };
}
