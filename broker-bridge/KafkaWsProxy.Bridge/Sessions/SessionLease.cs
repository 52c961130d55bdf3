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

    /// <summary>
    /// Called under the registry's lock: the stream's reaction runs elsewhere.
    /// True the first time (a lease is superseded once).
    /// </summary>
    internal bool MarkSuperseded()
    {
        try
        {
            if (_superseded.IsCancellationRequested)
            {
                return false;
            }

            _ = _superseded.CancelAsync();
            return true;
        }
        catch (ObjectDisposedException)
        {
            // Already released.
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await registry.ReleaseAsync(Entry).ConfigureAwait(false);
        _superseded.Dispose();
    }
}
