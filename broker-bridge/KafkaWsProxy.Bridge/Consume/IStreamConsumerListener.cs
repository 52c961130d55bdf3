using Confluent.Kafka;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>What a stream's consumer reports back: rebalances and statistics.</summary>
internal interface IStreamConsumerListener
{
    void OnAssigned(IReadOnlyList<TopicPartition> assigned);

    /// <param name="lost">True when the partitions were lost (the group went on without this
    /// consumer): their offsets can no longer be committed.</param>
    void OnRevoked(IReadOnlyList<TopicPartitionOffset> revoked, bool lost);

    void OnStatistics(string json);
}
