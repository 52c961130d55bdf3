using Confluent.Kafka;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>
/// Applies a commit to the stream's consumer: each offset must belong to an
/// assigned partition and to a record delivered on this stream; valid ones are
/// stored for librdkafka's next commit (docs/protocol.md §5, §8).
/// </summary>
internal sealed class CommitApplier(IStreamConsumer consumer, string topic, PartitionGenerations partitions, DeliveredOffsets delivered)
{
    public CommitResult Apply(CommitRequest request)
    {
        var result = new CommitResult { RequestId = request.RequestId };
        foreach (var offset in request.Offsets)
        {
            var why = Commit(offset);
            if (why is not null)
            {
                result.Failures.Add(new CommitFailure { Partition = offset.Partition, Offset = offset.Offset, Message = why });
            }
        }

        return result;
    }

    private string? Commit(CommitOffset offset)
    {
        if (!partitions.IsAssigned(offset.Partition))
        {
            return $"Partition {offset.Partition} is not assigned to this socket (it may have been rebalanced to another).";
        }

        var why = delivered.TryCommit(offset.Partition, offset.Offset, offset.TimestampMs);
        if (why is not null)
        {
            return why;
        }

        try
        {
            consumer.StoreOffset(new TopicPartitionOffset(topic, offset.Partition, offset.Offset + 1));
            return null;
        }
        catch (KafkaException e)
        {
            return $"Kafka refused the commit: {e.Error.Code}.";
        }
    }
}
