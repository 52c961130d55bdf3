using System.Threading.Channels;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>
/// For an autoCommit socket: the newest record written to the socket, per
/// partition. The sender notes what each burst of frames wrote (no message, no
/// wake-up per record); the commit loop takes what changed at most once an
/// interval and sends it as one cumulative commit.
/// </summary>
internal sealed class WrittenOffsets
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, (long Offset, long TimestampMs)> _latest = [];
    private readonly Channel<bool> _changed = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    /// <summary>Notes the newest records written, one per partition.</summary>
    public void Written(IEnumerable<RecordPosition> positions)
    {
        lock (_lock)
        {
            foreach (var position in positions)
            {
                _latest[position.Partition] = (position.Offset, position.TimestampMs);
            }
        }

        _changed.Writer.TryWrite(true);
    }

    /// <summary>Waits until something was written since the last take; false once no more will be.</summary>
    public async ValueTask<bool> WaitForChangeAsync(CancellationToken cancellationToken)
    {
        if (!await _changed.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        _changed.Reader.TryRead(out _);
        return true;
    }

    /// <summary>The commit for what was written since the last take, or null when nothing was.</summary>
    public CommitRequest? Take()
    {
        lock (_lock)
        {
            if (_latest.Count == 0)
            {
                return null;
            }

            // The edge throws its own commits' results away: the bridge need not send them.
            var request = new CommitRequest { NoResult = true };
            foreach (var (partition, (offset, timestampMs)) in _latest)
            {
                request.Offsets.Add(new CommitOffset { Partition = partition, Offset = offset, TimestampMs = timestampMs });
            }

            _latest.Clear();
            return request;
        }
    }

    /// <summary>No more records will be written: the commit loop takes the last ones and ends.</summary>
    public void Complete() => _changed.Writer.TryComplete();
}
