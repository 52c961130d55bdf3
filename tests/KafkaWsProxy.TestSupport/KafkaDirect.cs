using Confluent.Kafka;

namespace KafkaWsProxy.TestSupport;

/// <summary>Reads what landed in Kafka with a plain Confluent consumer, bypassing the proxy.</summary>
public static class KafkaDirect
{
    /// <summary>Reads every partition of a topic from the beginning until <paramref name="expected"/> records arrived.</summary>
    public static Task<List<ConsumeResult<byte[]?, byte[]?>>> ReadAsync(
        string bootstrapServers, string topic, int expected, TimeSpan? timeout = null, IsolationLevel isolation = IsolationLevel.ReadUncommitted) =>
        Task.Run(() =>
        {
            var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
            var partitions = PartitionCount(bootstrapServers, topic);
            using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
            {
                BootstrapServers = bootstrapServers,
                GroupId = "test-reader-" + Guid.NewGuid().ToString("N"),
                EnableAutoCommit = false,
                IsolationLevel = isolation,
            }).Build();
            consumer.Assign(Enumerable.Range(0, partitions)
                .Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));

            var records = new List<ConsumeResult<byte[]?, byte[]?>>();
            while (records.Count < expected)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"Read {records.Count} of {expected} records from {topic}.");
                }

                var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (result is { IsPartitionEOF: false, Message: not null })
                {
                    records.Add(result);
                }
            }

            consumer.Close();
            return records;
        });

    /// <summary>How many records the topic holds: the sum of its partitions' high watermarks.</summary>
    public static Task<long> CountAsync(string bootstrapServers, string topic) =>
        Task.Run(() =>
        {
            var partitions = PartitionCount(bootstrapServers, topic);
            using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
            {
                BootstrapServers = bootstrapServers,
                GroupId = "test-counter-" + Guid.NewGuid().ToString("N"),
            }).Build();
            return Enumerable.Range(0, partitions)
                .Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10)).High.Value);
        });

    public static int PartitionCount(string bootstrapServers, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        // The full listing: naming the topic would create it on the embedded broker.
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        return metadata.Topics.Single(t => t.Topic == topic).Partitions.Count;
    }
}
