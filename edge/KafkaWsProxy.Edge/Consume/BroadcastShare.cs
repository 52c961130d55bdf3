using System.Threading.Channels;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>
/// One broadcast socket's share of its edge's shared bridge stream (docs/protocol.md §5.1): its own
/// bounded queue of the frames rendered for all, where it started in each partition, and how its
/// share ended. The fan-out never waits for it: a socket with more than
/// Sockets:BroadcastBufferedRecords records waiting has fallen behind and is dropped.
/// </summary>
internal sealed class BroadcastShare : IDisposable
{
    private readonly Channel<BroadcastOutbound> _outbound;
    private readonly TaskCompletionSource<BridgeEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<BroadcastShare> _leave;
    private int _waiting;
    private int _disposed;

    public BroadcastShare(string clientId, IReadOnlyDictionary<int, long> startedAt, int bufferedRecords, Action<BroadcastShare> leave)
    {
        ClientId = clientId;
        StartedAt = startedAt;
        BufferedRecords = bufferedRecords;
        _leave = leave;
        // Each frame holds at least one record; one more item leaves room for an error frame.
        _outbound = Channel.CreateBounded<BroadcastOutbound>(new BoundedChannelOptions(bufferedRecords + 1)
        {
            SingleReader = true,
            SingleWriter = false,
        });
    }

    public string ClientId { get; }

    /// <summary>The first offset this socket was owed of each partition the shared stream knew when it joined.</summary>
    public IReadOnlyDictionary<int, long> StartedAt { get; }

    public int BufferedRecords { get; }

    public ChannelReader<BroadcastOutbound> Outbound => _outbound.Reader;

    /// <summary>Completes when the share ends without the socket asking: it fell behind, or the shared stream ended.</summary>
    public Task<BridgeEnd> Ended => _ended.Task;

    /// <summary>Queues a frame for the socket; false (and the share has ended) when the socket fell behind.</summary>
    public bool Offer(BroadcastFrame frame)
    {
        if (Volatile.Read(ref _disposed) == 1)
        {
            // The socket left while the frame was being handed out: it is owed nothing more.
            return true;
        }

        if (_ended.Task.IsCompleted)
        {
            return false;
        }

        if (Interlocked.Add(ref _waiting, frame.RecordCount) > BufferedRecords || !_outbound.Writer.TryWrite(new BroadcastOutbound(frame, null)))
        {
            End(new BridgeEnd(BridgeOutcome.FellBehind));
            return false;
        }

        return true;
    }

    /// <summary>The socket's sender took the frame off the queue.</summary>
    public void Taken(BroadcastFrame frame) => Interlocked.Add(ref _waiting, -frame.RecordCount);

    /// <summary>An error frame for the client (a frame it sent was refused); waits for room.</summary>
    public ValueTask WriteErrorAsync(FrameError error, CancellationToken cancellationToken) =>
        _outbound.Writer.TryWrite(new BroadcastOutbound(null, error))
            ? ValueTask.CompletedTask
            : _outbound.Writer.WriteAsync(new BroadcastOutbound(null, error), cancellationToken);

    public void End(BridgeEnd end) => _ended.TrySetResult(end);

    /// <summary>Leaves the shared stream; the last share to leave closes it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _outbound.Writer.TryComplete();
        _leave(this);
    }
}
