using System.Threading.Channels;
using Confluent.Kafka;
using KafkaWsProxy.Bridge.Logging;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>
/// What a rebalance changes for a stream: which partitions it owns, which
/// delivered records it may still commit, and the revocation notice to its client.
/// Runs inside the consumer's calls, on the stream's polling thread.
/// </summary>
internal sealed class RebalanceHandler(
    IStreamConsumer consumer,
    ConsumeOpen open,
    PartitionGenerations partitions,
    DeliveredOffsets delivered,
    StallPause pause,
    ChannelWriter<ConsumeResponse> notices,
    ILogger logger)
{
    public void Assigned(IReadOnlyList<TopicPartition> assigned)
    {
        foreach (var partition in assigned)
        {
            partitions.Assign(partition.Partition.Value);
        }

        pause.Assigned();
        if (logger.IsEnabled(LogLevel.Debug))
        {
            var list = PartitionList(assigned.Select(p => p.Partition));
            BridgeLog.PartitionsAssigned(logger, open.ClientId, open.Topic, list);
        }
    }

    /// <param name="pending">Records read but not yet handed to the writer: those of revoked
    /// partitions are dropped, as they belong to the partitions' next owner now.</param>
    public void Revoked(IReadOnlyList<TopicPartitionOffset> revoked, bool lost, List<BufferedRecord> pending)
    {
        if (!lost)
        {
            // What the client committed reaches Kafka before the next owner starts reading.
            CommitStoredOffsets();
        }

        foreach (var partition in revoked)
        {
            var number = partition.Partition.Value;
            partitions.Revoke(number);
            delivered.Forget(number);
        }

        var notice = new PartitionsRevoked();
        notice.Partitions.AddRange(revoked.Select(p => p.Partition.Value));
        notices.TryWrite(new ConsumeResponse { Revoked = notice });

        pending.RemoveAll(r => !partitions.IsAssigned(r.Record.Position.Partition));
        if (logger.IsEnabled(LogLevel.Debug))
        {
            var list = PartitionList(revoked.Select(p => p.Partition));
            BridgeLog.PartitionsRevoked(logger, open.ClientId, open.Topic, list);
        }
    }

    private static string PartitionList(IEnumerable<Partition> list) => string.Join(",", list.Select(p => p.Value));

    private void CommitStoredOffsets()
    {
        try
        {
            consumer.Commit();
        }
        catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_NoOffset)
        {
            // Nothing stored since the last commit.
        }
        catch (KafkaException e)
        {
            BridgeLog.KafkaClientError(logger, consumer.Name, e.Error.Code.ToString(), e.Error.IsFatal, e.Error.Reason);
        }
    }
}
