using Confluent.Kafka;
using KafkaWsProxy.Bridge.Kafka;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>The real <see cref="IStreamConsumer"/>: a Confluent consumer built by the bridge's one client factory.</summary>
internal sealed class KafkaStreamConsumer : IStreamConsumer
{
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private IStreamConsumerListener? _listener;

    public KafkaStreamConsumer(KafkaClientFactory clients, ConsumerConfig config)
    {
        _consumer = clients.CreateConsumer<byte[]?, byte[]?>(config, builder => builder
            .SetStatisticsHandler((_, statistics) => _listener?.OnStatistics(statistics))
            .SetPartitionsAssignedHandler((_, assigned) =>
            {
                _listener?.OnAssigned(assigned);
                return assigned.Select(p => new TopicPartitionOffset(p, Offset.Unset));
            })
            .SetPartitionsRevokedHandler((_, revoked) => _listener?.OnRevoked(revoked, lost: false))
            .SetPartitionsLostHandler((_, lost) => _listener?.OnRevoked(lost, lost: true)));
    }

    public string Name => _consumer.Name;

    public List<TopicPartition> Assignment => _consumer.Assignment;

    public void Listen(IStreamConsumerListener listener) => _listener = listener;

    public void Subscribe(string topic) => _consumer.Subscribe(topic);

    public ConsumeResult<byte[]?, byte[]?>? Consume(TimeSpan timeout) => _consumer.Consume(timeout);

    public void Pause(IEnumerable<TopicPartition> partitions) => _consumer.Pause(partitions);

    public void Resume(IEnumerable<TopicPartition> partitions) => _consumer.Resume(partitions);

    public void StoreOffset(TopicPartitionOffset offset) => _consumer.StoreOffset(offset);

    public void Commit() => _consumer.Commit();

    public List<TopicPartitionOffset> Committed(IEnumerable<TopicPartition> partitions, TimeSpan timeout) =>
        _consumer.Committed(partitions, timeout);

    public void Close() => _consumer.Close();

    public void Dispose() => _consumer.Dispose();
}
