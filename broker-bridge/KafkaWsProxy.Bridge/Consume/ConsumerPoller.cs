using System.Collections.Concurrent;
using KafkaWsProxy.Bridge.Logging;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>
/// One thread that serves many streams' pumps: it sweeps them with non-blocking
/// steps (a Consume with zero timeout each), hands records over for those that
/// have some, and sleeps only when a whole sweep found nothing, longer and longer
/// up to the idle back-off. A commit, room in a stream's buffer or a new stream
/// wakes it at once.
/// </summary>
/// <remarks>
/// Thread affinity: a pump is stepped by its poller's thread only, so everything
/// that touches its consumer (poll, store, commit, pause, resume, and the rebalance
/// handlers librdkafka runs inside those calls) runs there, one at a time. When the
/// stream ends, the pump leaves the sweep first and is then finished (last commits,
/// Close, which may block while the group rebalances) on a thread of its own, so
/// one closing consumer never stalls the others.
/// </remarks>
internal sealed class ConsumerPoller : IDisposable
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(1);

    private readonly TimeSpan _maxBackoff;
    private readonly ILogger _logger;
    private readonly ConcurrentQueue<ConsumerPump> _arrivals = new();
    private readonly List<ConsumerPump> _pumps = [];
    private readonly ManualResetEventSlim _wake = new(initialState: false);
    private readonly Thread _thread;
    private volatile bool _stopping;
    private int _load;

    public ConsumerPoller(int index, TimeSpan maxBackoff, ILogger logger)
    {
        _maxBackoff = maxBackoff;
        _logger = logger;
        _thread = new Thread(Run) { IsBackground = true, Name = $"consume-poller-{index}" };
        _thread.Start();
    }

    /// <summary>Streams this poller serves, counting those that just arrived.</summary>
    public int Load => Volatile.Read(ref _load);

    public int ManagedThreadId => _thread.ManagedThreadId;

    public void Serve(ConsumerPump pump)
    {
        Interlocked.Increment(ref _load);
        pump.Wake = _wake.Set;
        _arrivals.Enqueue(pump);
        _wake.Set();
    }

    private void Run()
    {
        var backoff = FirstBackoff;
        while (!_stopping)
        {
            // Reset before the sweep, so a wake during the sweep is not lost.
            _wake.Reset();
            if (Sweep())
            {
                backoff = FirstBackoff;
                continue;
            }

            _wake.Wait(backoff);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _maxBackoff.Ticks));
        }

        // Shutting down: whatever is still served is finished here.
        AdmitArrivals();
        foreach (var pump in _pumps)
        {
            pump.Finish();
        }
    }

    /// <summary>One step of every pump; true when any of them had work.</summary>
    private bool Sweep()
    {
        var worked = AdmitArrivals();
        for (var i = _pumps.Count - 1; i >= 0; i--)
        {
            var pump = _pumps[i];
            if (!pump.IsDone)
            {
                worked |= pump.Step(TimeSpan.Zero);
            }

            if (pump.IsDone)
            {
                _pumps[i] = _pumps[^1];
                _pumps.RemoveAt(_pumps.Count - 1);
                Retire(pump);
            }
        }

        return worked;
    }

    private bool AdmitArrivals()
    {
        var admitted = false;
        while (_arrivals.TryDequeue(out var pump))
        {
            pump.Start();
            _pumps.Add(pump);
            admitted = true;
        }

        return admitted;
    }

    private void Retire(ConsumerPump pump)
    {
        Interlocked.Decrement(ref _load);
        // The pump has left the sweep: from here on its consumer belongs to the closing thread.
        _ = Task.Factory.StartNew(
            static state => ((ConsumerPump)state!).Finish(), pump, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        BridgeLog.ConsumerLeftPoller(_logger, _thread.Name ?? "poller", _load);
    }

    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
        _thread.Join();
        _wake.Dispose();
    }
}
