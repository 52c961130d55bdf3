using Confluent.Kafka;

namespace KafkaWsProxy.Bridge.Kafka;

/// <summary>The bridge's one admin client, for metadata.</summary>
internal sealed class AdminClientHandle : IDisposable
{
    private readonly IAdminClient _client;

    public AdminClientHandle(KafkaClientConfigFactory configFactory, KafkaClientFactory clients) =>
        _client = clients.CreateAdmin(configFactory.CreateAdminConfig());

    /// <summary>
    /// Metadata of every topic and broker. Never names a topic: a request that
    /// names one would auto-create it on brokers that allow that (and always on
    /// the embedded broker).
    /// </summary>
    public Task<Metadata> GetClusterMetadataAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        // Confluent's metadata call is synchronous; keep it off the caller's thread.
        Task.Run(() => _client.GetMetadata(timeout), cancellationToken);

    public Task CreateTopicAsync(Confluent.Kafka.Admin.TopicSpecification topic) =>
        _client.CreateTopicsAsync([topic]);

    public void Dispose() => _client.Dispose();
}
