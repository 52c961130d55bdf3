using System.Collections.Concurrent;
using System.Threading.Channels;

namespace KafkaWsProxy.Bridge.Broadcast;

/// <summary>
/// One broadcast stream's place at its shared consumer: its own buffer, bounded in records
/// (docs/protocol.md §5.1). The consumer's poll thread offers every batch; a stream whose
/// buffer cannot take it has fallen behind, and its buffer is completed instead: it never
/// holds back the others, and the bridge never holds more than the bound for it.
/// </summary>
internal sealed class BroadcastSubscriber(int capacity, IDictionary<int, long> startedAt)
{
    // Unbounded as a channel, bounded by the record count checked before each write.
    private readonly Channel<BroadcastBatch> _batches =
        Channel.CreateUnbounded<BroadcastBatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private int _buffered;
    private volatile bool _fellBehind;

    public int Capacity => capacity;

    /// <summary>The first offset this stream was given, per partition (the poll thread adds new partitions).</summary>
    public ConcurrentDictionary<int, long> StartedAt { get; } = new(startedAt);

    public ChannelReader<BroadcastBatch> Batches => _batches.Reader;

    /// <summary>Set before the buffer completes, so a reader that sees it complete sees this too.</summary>
    public bool FellBehind => _fellBehind;

    /// <summary>The poll thread's: false when this stream just fell behind (it is offered nothing more).</summary>
    public bool Offer(BroadcastBatch batch)
    {
        if (_fellBehind)
        {
            return true;
        }

        if (Volatile.Read(ref _buffered) + batch.Records.Length > capacity)
        {
            _fellBehind = true;
            _batches.Writer.TryComplete();
            return false;
        }

        Interlocked.Add(ref _buffered, batch.Records.Length);
        _batches.Writer.TryWrite(batch);
        return true;
    }

    /// <summary>The stream's writer took these records: room for as many.</summary>
    public void Taken(int records) => Interlocked.Add(ref _buffered, -records);

    /// <summary>The shared consumer stopped: with an error for the stream, or none when the bridge stops.</summary>
    public void End(Exception? failure = null) => _batches.Writer.TryComplete(failure);
}
