using MirrorGate.Http;

namespace MirrorGate.Mirroring;

/// <summary>
/// The mirror leg's own connection pool: a long-lived invoker over a SocketsHttpHandler set up
/// like YARP's (no proxy, redirects, decompression or cookies), separate from every upstream's,
/// so mirror connections never compete with primary ones.
/// </summary>
internal sealed class MirrorClient : IDisposable
{
    private readonly ProxyMirrorSettings _builtWith;

    public MirrorClient(ProxyMirrorSettings settings)
    {
        _builtWith = settings;
        var handler = OutgoingHandler.Create(settings.ConnectTimeout, settings.VerifyTls);
        handler.MaxConnectionsPerServer = settings.Concurrency;
        Invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public HttpMessageInvoker Invoker { get; }

    public bool Matches(ProxyMirrorSettings settings)
        => settings.ConnectTimeout == _builtWith.ConnectTimeout
           && settings.VerifyTls == _builtWith.VerifyTls
           && settings.Concurrency == _builtWith.Concurrency;

    public void Dispose() => Invoker.Dispose();
}
