namespace KafkaWsProxy.Edge.Sockets;

/// <summary>
/// Asks a socket's session to end from outside: the edge is stopping, or the
/// credentials the socket was opened with expired. The first reason wins.
/// </summary>
internal sealed class SocketEndRequest : IDisposable
{
    private readonly TaskCompletionSource _requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenRegistration _stopping;
    private readonly ITimer? _expiry;
    private int _reason = (int)EndRequestReason.None;

    public SocketEndRequest(DateTimeOffset? credentialsExpireAt, TimeProvider time, CancellationToken serverStopping)
    {
        _stopping = serverStopping.Register(static state => ((SocketEndRequest)state!).Request(EndRequestReason.ServerStopping), this);
        if (credentialsExpireAt is { } expireAt)
        {
            var delay = expireAt - time.GetUtcNow();
            _expiry = time.CreateTimer(
                static state => ((SocketEndRequest)state!).Request(EndRequestReason.CredentialsExpired),
                this, delay > TimeSpan.Zero ? delay : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Completes when an end was requested.</summary>
    public Task Requested => _requested.Task;

    /// <summary>Why the end was requested; <see cref="EndRequestReason.None"/> until it is.</summary>
    public EndRequestReason Reason => (EndRequestReason)Volatile.Read(ref _reason);

    private void Request(EndRequestReason reason)
    {
        if (Interlocked.CompareExchange(ref _reason, (int)reason, (int)EndRequestReason.None) == (int)EndRequestReason.None)
        {
            _requested.TrySetResult();
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _expiry?.Dispose();
    }
}
