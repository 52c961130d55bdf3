using Confluent.Kafka;
using KafkaWsProxy.Bridge.Configuration;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Bridge.Kafka;

/// <summary>
/// Answers "does this topic exist, and how many partitions has it" without
/// creating it. A fetched topic list is reused for a short time so that a burst
/// of opening streams costs one metadata request, not one each.
/// </summary>
internal sealed class TopicCatalog(AdminClientHandle admin, IOptions<KafkaOptions> options, TimeProvider time) : IDisposable
{
    private readonly KafkaOptions _options = options.Value;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile Snapshot? _snapshot;

    /// <summary>The topic's partition count, or null when the topic does not exist.</summary>
    public async Task<int?> GetPartitionCountAsync(string topic, CancellationToken cancellationToken)
    {
        var snapshot = _snapshot;
        if (snapshot is not null && IsFresh(snapshot) && snapshot.Partitions.TryGetValue(topic, out var known))
        {
            return known;
        }

        // Unknown or stale: the topic may have been created since, so ask Kafka.
        snapshot = await RefreshAsync(snapshot, cancellationToken).ConfigureAwait(false);
        return snapshot.Partitions.TryGetValue(topic, out var count) ? count : null;
    }

    private bool IsFresh(Snapshot snapshot) => time.GetUtcNow() - snapshot.FetchedAt < _options.TopicCacheTtl;

    private async Task<Snapshot> RefreshAsync(Snapshot? seen, CancellationToken cancellationToken)
    {
        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Someone else refreshed while we waited: use theirs.
            var current = _snapshot;
            if (current is not null && !ReferenceEquals(current, seen))
            {
                return current;
            }

            var metadata = await admin.GetClusterMetadataAsync(_options.MetadataTimeout, cancellationToken).ConfigureAwait(false);
            var fresh = new Snapshot(time.GetUtcNow(), ToPartitionCounts(metadata));
            _snapshot = fresh;
            return fresh;
        }
        finally
        {
            _refresh.Release();
        }
    }

    private static Dictionary<string, int> ToPartitionCounts(Metadata metadata)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var topic in metadata.Topics)
        {
            if (topic.Error.Code == ErrorCode.NoError)
            {
                counts[topic.Topic] = topic.Partitions.Count;
            }
        }

        return counts;
    }

    public void Dispose() => _refresh.Dispose();

    private sealed record Snapshot(DateTimeOffset FetchedAt, Dictionary<string, int> Partitions);
}
