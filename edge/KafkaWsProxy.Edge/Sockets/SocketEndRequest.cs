namespace KafkaWsProxy.Edge.Sockets;

/// <summary>
/// Asks a socket's session to end from outside: the edge is stopping, or the
/// credentials the socket was opened with expired. The first reason wins.
/// </summary>
internal sealed class SocketEndRequest : IDisposable
{
    private readonly CancellationTokenSource _requested = new();
    private readonly CancellationTokenRegistration _stopping;
    private readonly ITimer? _expiry;
    private int _reason = -1;

    public SocketEndRequest(DateTimeOffset? credentialsExpireAt, TimeProvider time, CancellationToken serverStopping)
    {
        _stopping = serverStopping.Register(static state => ((SocketEndRequest)state!).Request(SocketEndReason.ServerStopping), this);
        if (credentialsExpireAt is { } expireAt)
        {
            var delay = expireAt - time.GetUtcNow();
            _expiry = time.CreateTimer(
                static state => ((SocketEndRequest)state!).Request(SocketEndReason.CredentialsExpired),
                this, delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Cancelled when an end was requested.</summary>
    public CancellationToken Token => _requested.Token;

    /// <summary>Why the end was requested; meaningful once <see cref="Token"/> is cancelled.</summary>
    public SocketEndReason Reason => _reason < 0 ? SocketEndReason.ServerStopping : (SocketEndReason)_reason;

    public bool IsRequested => _requested.IsCancellationRequested;

    private void Request(SocketEndReason reason)
    {
        if (Interlocked.CompareExchange(ref _reason, (int)reason, -1) == -1)
        {
            try
            {
                _requested.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The session is over already.
            }
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _expiry?.Dispose();
        _requested.Dispose();
    }
}
