using KafkaWsProxy.EmbeddedKafka;

namespace KafkaWsProxy.Tests.Infrastructure;

internal static class EmbeddedKafkaExtensions
{
    public const string SessionRegistryTopic = "_kafkawsproxy_sessions";

    /// <summary>
    /// The bridge creates its registry topic with CreateTopics, which the embedded
    /// broker lacks: a bridge pointed at a test's broker finds it made here.
    /// </summary>
    public static void CreateSessionRegistryTopic(this EmbeddedKafkaCluster kafka) => kafka.CreateTopic(SessionRegistryTopic, 1);
}
