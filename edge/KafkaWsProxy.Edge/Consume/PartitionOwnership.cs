using System.Collections.Immutable;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>
/// A generation per partition that changes when the bridge says the partition
/// was revoked. Records are stamped with the generations of the moment they
/// are queued; the sender drops a record whose partition's generation changed
/// since, so a partition rebalanced away is not delivered on this socket any
/// more while its new owner delivers it. The bridge owns the assignment (it sees
/// the rebalances and refuses commits of partitions it lost); this is only the
/// fence for records the edge already queued, moved by the bridge's notices.
/// </summary>
/// <remarks>One writer (the results loop), one reader (the sender). A stamp is the
/// immutable map itself, so stamping a whole bridge message costs nothing.</remarks>
internal sealed class PartitionOwnership
{
    private volatile ImmutableDictionary<int, int> _generations = ImmutableDictionary<int, int>.Empty;

    public OwnershipStamp Stamp() => new(_generations);

    public bool IsCurrent(int partition, OwnershipStamp stamp)
    {
        var current = _generations;
        return ReferenceEquals(stamp.Generations, current)
            || stamp.Generations.GetValueOrDefault(partition) == current.GetValueOrDefault(partition);
    }

    public void Revoke(IEnumerable<int> partitions)
    {
        var next = _generations;
        foreach (var partition in partitions)
        {
            next = next.SetItem(partition, next.GetValueOrDefault(partition) + 1);
        }

        _generations = next;
    }
}

/// <summary>The partitions' generations when a record was queued.</summary>
internal readonly record struct OwnershipStamp(ImmutableDictionary<int, int> Generations);
