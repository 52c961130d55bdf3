using System.Collections.Concurrent;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>
/// Which partitions a stream owns right now, as a generation per partition that
/// changes on every assignment and revocation. Written by the poll loop, read by
/// the writer loop.
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
