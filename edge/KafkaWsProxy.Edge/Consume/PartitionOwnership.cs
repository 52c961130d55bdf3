using System.Collections.Concurrent;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>
/// A generation per partition that changes when the bridge says the partition
/// was revoked. Records are stamped when queued; the sender drops a record
/// whose stamp is out of date, so a partition rebalanced away is not delivered
/// on this socket any more while its new owner delivers it.
/// </summary>
internal sealed class PartitionOwnership
{
    private readonly ConcurrentDictionary<int, int> _generations = new();

    public int Stamp(int partition) => _generations.GetValueOrDefault(partition);

    public bool IsCurrent(int partition, int generation) => _generations.GetValueOrDefault(partition) == generation;

    public void Revoke(IEnumerable<int> partitions)
    {
        foreach (var partition in partitions)
        {
            _generations.AddOrUpdate(partition, 1, static (_, g) => g + 1);
        }
    }
}
