using Confluent.Kafka;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>
/// The seam between a Consume stream and its Kafka consumer: all the stream asks
/// of it. <see cref="KafkaStreamConsumer"/> wraps Confluent's consumer; unit tests
/// fake it. The stream calls it from one thread at a time, and the
/// <see cref="IStreamConsumerListener"/> is called back on that thread, inside
/// <see cref="Consume"/>, <see cref="Commit"/> or <see cref="Close"/> (as librdkafka
/// serves its rebalance and statistics callbacks from the polling call).
/// </summary>
internal interface IStreamConsumer : IDisposable
{
    string Name { get; }

    List<TopicPartition> Assignment { get; }

    /// <summary>Who hears of rebalances and statistics; set once, before <see cref="Subscribe"/>.</summary>
    void Listen(IStreamConsumerListener listener);

    void Subscribe(string topic);

    /// <summary>The next record, or null when none came within <paramref name="timeout"/>.</summary>
    ConsumeResult<byte[]?, byte[]?>? Consume(TimeSpan timeout);

    void Pause(IEnumerable<TopicPartition> partitions);

    void Resume(IEnumerable<TopicPartition> partitions);

    /// <summary>Marks an offset for the next commit (the background one, <see cref="Commit"/> or <see cref="Close"/>).</summary>
    void StoreOffset(TopicPartitionOffset offset);

    /// <summary>Commits the stored offsets now.</summary>
    void Commit();

    List<TopicPartitionOffset> Committed(IEnumerable<TopicPartition> partitions, TimeSpan timeout);

    /// <summary>Commits what was stored and leaves the group at once.</summary>
    void Close();
}
