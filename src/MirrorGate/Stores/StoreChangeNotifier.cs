namespace MirrorGate.Stores;

/// <summary>
/// Raises a store's <c>Changed</c> event: each handler on its own, because the write is already
/// committed, so one faulty listener must neither fail the caller's request nor starve the others.
/// </summary>
internal static class StoreChangeNotifier
{
    public static void Raise(Action? handlers, Action<Exception> onHandlerFailed)
    {
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((Action)handler)();
            }
            catch (Exception ex)
            {
                onHandlerFailed(ex);
            }
        }
    }
}
