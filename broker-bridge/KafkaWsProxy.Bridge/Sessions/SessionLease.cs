namespace KafkaWsProxy.Bridge.Sessions;

/// <summary>
/// An open session. <see cref="Superseded"/> fires when a newer session for the
/// same member is granted on any bridge (fencing); disposing the lease removes
/// the entry from the registry.
/// </summary>
internal sealed class SessionLease(SessionRegistry registry, SessionEntry entry) : IAsyncDisposable
{
    private readonly CancellationTokenSource _superseded = new();

    public SessionEntry Entry { get; } = entry;

    public CancellationToken Superseded => _superseded.Token;

    /// <summary>Called under the registry's lock: the stream's reaction runs elsewhere.</summary>
    internal void MarkSuperseded()
    {
        try
        {
            _ = _superseded.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // Already released.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await registry.ReleaseAsync(Entry).ConfigureAwait(false);
        _superseded.Dispose();
    }
}
