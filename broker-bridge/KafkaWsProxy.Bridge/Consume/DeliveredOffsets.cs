namespace KafkaWsProxy.Bridge.Consume;

/// <summary>
/// Records delivered on one stream and not yet committed, per partition, in
/// delivery order (which is offset order within a partition). Decides whether a
/// commit is valid. Used only by the stream's pump, on its poller's thread.
/// </summary>
internal sealed class DeliveredOffsets
{
    private readonly Dictionary<int, Queue<(long Offset, long TimestampMs)>> _pending = [];
    private readonly Dictionary<int, long> _committed = [];

    public int Count { get; private set; }

    public void Delivered(int partition, long offset, long timestampMs)
    {
        if (!_pending.TryGetValue(partition, out var queue))
        {
            queue = new Queue<(long, long)>();
            _pending[partition] = queue;
        }

        queue.Enqueue((offset, timestampMs));
        Count++;
    }

    /// <summary>
    /// Commits a delivered record and every earlier one of its partition.
    /// Returns null when valid, else why not.
    /// </summary>
    public string? TryCommit(int partition, long offset, long timestampMs)
    {
        if (!_pending.TryGetValue(partition, out var queue) || queue.Count == 0 || offset < queue.Peek().Offset)
        {
            return _committed.TryGetValue(partition, out var last) && offset <= last
                ? $"Offset {offset} of partition {partition} is already committed."
                : $"No record at offset {offset} of partition {partition} was delivered on this socket.";
        }

        var found = false;
        foreach (var (pendingOffset, pendingTimestamp) in queue)
        {
            if (pendingOffset == offset)
            {
                found = timestampMs == 0 || pendingTimestamp == timestampMs;
                break;
            }

            if (pendingOffset > offset)
            {
                break;
            }
        }

        if (!found)
        {
            return $"No record at offset {offset} of partition {partition} with that timestamp was delivered on this socket.";
        }

        while (queue.Count > 0 && queue.Peek().Offset <= offset)
        {
            queue.Dequeue();
            Count--;
        }

        _committed[partition] = offset;
        return null;
    }

    /// <summary>Forgets a partition that was revoked: its records will be delivered to its next owner.</summary>
    public void Forget(int partition)
    {
        if (_pending.Remove(partition, out var queue))
        {
            Count -= queue.Count;
        }

        _committed.Remove(partition);
    }
}
