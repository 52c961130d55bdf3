using System.Collections.Concurrent;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>
/// Which partitions a stream owns right now, as a generation per partition that
/// changes on every assignment and revocation. Written by the pump (on its
/// poller's thread, inside the consumer's rebalance callbacks), read by the writer.
/// The bridge owns the assignment: it sees the rebalances, refuses commits of
/// partitions it no longer owns and drops the records of revoked partitions that
/// it still holds. The edge only fences what it has already queued, on the
/// revocation notices the bridge sends.
/// </summary>
internal sealed class PartitionGenerations
{
    // Positive: assigned in that generation; negative: revoked.
    private readonly ConcurrentDictionary<int, int> _generations = new();

    public void Assign(int partition) =>
        _generations.AddOrUpdate(partition, 1, static (_, g) => Math.Abs(g) + 1);

    public void Revoke(int partition) =>
        _generations.AddOrUpdate(partition, -1, static (_, g) => -(Math.Abs(g) + 1));

    public bool IsAssigned(int partition) => _generations.TryGetValue(partition, out var g) && g > 0;

    /// <summary>The partition's generation while assigned; 0 when not assigned.</summary>
    public int Current(int partition) => _generations.TryGetValue(partition, out var g) && g > 0 ? g : 0;

    /// <summary>True while the partition has stayed assigned since <paramref name="generation"/> was read.</summary>
    public bool IsCurrent(int partition, int generation) => generation > 0 && Current(partition) == generation;
}
