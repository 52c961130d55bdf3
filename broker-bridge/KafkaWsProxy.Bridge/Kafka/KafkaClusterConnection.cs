using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Logging;
using KafkaWsProxy.EmbeddedKafka;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Bridge.Kafka;

/// <summary>
/// Where Kafka is: the configured bootstrap servers, or the embedded broker
/// this bridge starts in-process when none are configured.
/// </summary>
internal sealed class KafkaClusterConnection : IDisposable
{
    private readonly EmbeddedKafkaCluster? _embedded;

    public KafkaClusterConnection(IOptions<KafkaOptions> options, ILogger<KafkaClusterConnection> logger)
    {
        var kafka = options.Value;
        if (!kafka.UsesEmbeddedBroker)
        {
            BootstrapServers = kafka.BootstrapServers;
            BridgeLog.UsingKafka(logger, BootstrapServers);
            return;
        }

        var topics = TopicSpec.ParseList(kafka.EmbeddedTopics);
        _embedded = new EmbeddedKafkaCluster(kafka.EmbeddedBrokerCount);
        foreach (var topic in topics)
        {
            _embedded.CreateTopic(topic.Name, topic.Partitions);
        }

        BootstrapServers = _embedded.BootstrapServers;
        var topicList = string.Join(",", topics);
        BridgeLog.EmbeddedBrokerStarted(logger, BootstrapServers, topicList);
    }

    public string BootstrapServers { get; }

    public bool IsEmbedded => _embedded is not null;

    /// <summary>The embedded broker, when this bridge runs one.</summary>
    public EmbeddedKafkaCluster? Embedded => _embedded;

    public void Dispose() => _embedded?.Dispose();
}
