using KafkaWsProxy.Edge.Configuration;
using KafkaWsProxy.Edge.Logging;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>
/// The edge's drain when it is asked to stop (SIGTERM; docs/protocol.md §6):
/// new sockets are refused with 503, every open socket is asked to end (the acks
/// it is owed are sent, then it closes with 1001), and the host waits for them.
/// </summary>
/// <remarks>
/// The host runs every StoppingAsync before any StopAsync, so while this waits
/// the server still listens: a client that connects meanwhile gets the 503 with
/// Retry-After instead of a refused connection. HostOptions.ShutdownTimeout is
/// set (Program.cs) to leave room for Sockets:DrainTimeout and Sockets:CloseTimeout.
/// </remarks>
internal sealed class EdgeDrain(IHostApplicationLifetime lifetime, IOptions<SocketOptions> options, ILogger<EdgeDrain> logger)
    : IHostedLifecycleService, IDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _applicationStopping;
    private bool _draining;
    private int _open;

    /// <summary>Cancelled when the drain begins: every open socket ends.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>Counts a socket request as open until the lease is disposed; null once the drain has begun.</summary>
    public IDisposable? TryEnter()
    {
        lock (_gate)
        {
            if (_draining)
            {
                return null;
            }

            _open++;
            return new Lease(this);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // SIGTERM signals ApplicationStopping before the host stops its services: the drain starts then.
        _applicationStopping = lifetime.ApplicationStopping.Register(static state => ((EdgeDrain)state!).Begin(), this);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        Begin();
        var deadline = options.Value.DrainTimeout + options.Value.CloseTimeout;
        try
        {
            await _drained.Task.WaitAsync(deadline, cancellationToken).ConfigureAwait(false);
            EdgeLog.EdgeDrained(logger);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            EdgeLog.EdgeDrainIncomplete(logger, Volatile.Read(ref _open));
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Begin()
    {
        int open;
        lock (_gate)
        {
            if (_draining)
            {
                return;
            }

            _draining = true;
            open = _open;
            if (open == 0)
            {
                _drained.TrySetResult();
            }
        }

        EdgeLog.EdgeDraining(logger, open);
        _stopping.Cancel();
    }

    private void Leave()
    {
        lock (_gate)
        {
            if (--_open == 0 && _draining)
            {
                _drained.TrySetResult();
            }
        }
    }

    public void Dispose()
    {
        _applicationStopping.Dispose();
        _stopping.Dispose();
    }

    private sealed class Lease(EdgeDrain drain) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                drain.Leave();
            }
        }
    }
}
