using Confluent.Kafka;

namespace KafkaWsProxy.Tests.Infrastructure;

/// <summary>Writes records straight to Kafka with a plain Confluent producer, bypassing the proxy.</summary>
internal static class KafkaSeed
{
    /// <summary>Produces string records; with <paramref name="partition"/> set, all go to that partition.</summary>
    public static async Task<List<DeliveryResult<string?, string>>> ProduceAsync(
        string bootstrapServers, string topic, IEnumerable<(string? Key, string Value)> records, int? partition = null,
        Headers? headers = null)
    {
        using var producer = new ProducerBuilder<string?, string>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            EnableIdempotence = true,
            LingerMs = 0,
        }).Build();
        var results = new List<DeliveryResult<string?, string>>();
        foreach (var (key, value) in records)
        {
            var message = new Message<string?, string> { Key = key, Value = value, Headers = headers };
            results.Add(partition is { } p
                ? await producer.ProduceAsync(new TopicPartition(topic, p), message)
                : await producer.ProduceAsync(topic, message));
        }

        return results;
    }

    /// <summary>
    /// Produces <paramref name="count"/> records to one partition in a single batch: the broker appends
    /// them together, so a consumer's fetch sees all of them or none (where <see cref="ProduceAsync(string, string, int, int?, string)"/>
    /// writes one record at a time, and a fetch can catch the first ones alone).
    /// </summary>
    public static async Task ProduceOneBatchAsync(string bootstrapServers, string topic, int count, int partition)
    {
        using var producer = new ProducerBuilder<string?, string>(new ProducerConfig
        {
            BootstrapServers = bootstrapServers,
            // Held until Flush, which sends them in one request.
            LingerMs = 60_000,
        }).Build();
        var delivered = new List<Task<DeliveryResult<string?, string>>>();
        for (var i = 0; i < count; i++)
        {
            delivered.Add(producer.ProduceAsync(new TopicPartition(topic, partition), new Message<string?, string> { Key = $"k{i}", Value = $"v{i}" }));
        }

        // Flush blocks until the request is answered: off the test's thread.
        await Task.Run(() => producer.Flush(TimeSpan.FromSeconds(30)));
        await Task.WhenAll(delivered);
    }

    public static Task<List<DeliveryResult<string?, string>>> ProduceAsync(
        string bootstrapServers, string topic, int count, int? partition = null, string prefix = "v") =>
        ProduceAsync(bootstrapServers, topic, Enumerable.Range(0, count).Select(i => ((string?)$"k{i}", $"{prefix}{i}")), partition);
}
