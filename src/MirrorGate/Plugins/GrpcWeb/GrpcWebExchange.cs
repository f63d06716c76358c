using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace MirrorGate.Plugins.GrpcWeb;

/// <summary>
/// One request's grpc-web state (APISIX keeps it in <c>ctx</c>): what the access phase decided and
/// what the answer needs. It also stands in for the response trailers feature, so the upstream's
/// gRPC trailers land here (to go into the body's trailer frame) instead of going to the client
/// as HTTP trailers, which browsers cannot read.
/// </summary>
internal sealed class GrpcWebExchange : IHttpResponseTrailersFeature
{
    /// <summary>The request's Content-Type, which the converted answer carries.</summary>
    public string? Mime { get; init; }

    /// <summary>Set when the request is converted and proxied; null when grpc-web answered it itself (preflight, 405, 400).</summary>
    public GrpcWebEncoding? Encoding { get; set; }

    /// <summary>The request body could not be read (too large, not base64, empty): the answer is the gateway's 400, left as it is.</summary>
    public bool RequestBodyFailed { get; set; }

    public IHeaderDictionary Trailers { get; set; } = new HeaderDictionary();
}
