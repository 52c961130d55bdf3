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

    public static Task<List<DeliveryResult<string?, string>>> ProduceAsync(
        string bootstrapServers, string topic, int count, int? partition = null, string prefix = "v") =>
        ProduceAsync(bootstrapServers, topic, Enumerable.Range(0, count).Select(i => ((string?)$"k{i}", $"{prefix}{i}")), partition);
}
