namespace KafkaWsProxy.Bridge.Configuration;

/// <summary>How the bridge reaches Kafka. Section "Kafka".</summary>
public sealed class KafkaOptions
{
    public const string SectionName = "Kafka";

    /// <summary>
    /// Kafka bootstrap servers (host:port, comma-separated). Empty: the bridge
    /// starts the embedded broker in-process. Alias: KAFKA_BOOTSTRAP_SERVERS.
    /// </summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>
    /// Topics the embedded broker creates at start, as name:partitions,...
    /// (the embedded broker has no CreateTopics API). Ignored with real Kafka.
    /// Alias: KAFKA_TOPICS.
    /// </summary>
    public string EmbeddedTopics { get; set; } = "demo:4";

    /// <summary>Brokers in the embedded cluster.</summary>
    public int EmbeddedBrokerCount { get; set; } = 1;

    /// <summary>Deadline for one metadata request (topic checks, cluster description).</summary>
    public TimeSpan MetadataTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a fetched topic list is trusted before a stream open fetches it again.</summary>
    public TimeSpan TopicCacheTtl { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often the bridge gives the native memory freed by closed Kafka clients back to
    /// the system (glibc's malloc_trim; Linux with glibc only). Zero: never.
    /// </summary>
    public TimeSpan NativeMemoryTrimInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Extra librdkafka settings for every Kafka client (security.protocol, ssl.*...).</summary>
    public Dictionary<string, string> Client { get; } = new(StringComparer.Ordinal);

    /// <summary>Extra librdkafka settings for producers only (linger.ms, compression.type...).</summary>
    public Dictionary<string, string> Producer { get; } = new(StringComparer.Ordinal);

    /// <summary>Extra librdkafka settings for consumers only (max.poll.interval.ms, fetch.max.bytes...).</summary>
    public Dictionary<string, string> Consumer { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Consumer group protocol: "classic" (every Kafka) or "consumer" (KIP-848,
    /// Kafka 4.0+). Empty: "consumer" with the embedded broker, whose classic
    /// protocol cannot add a member to a stable group, else "classic".
    /// </summary>
    public string GroupProtocol { get; set; } = "";

    /// <summary>SASL mechanism for streams that carry their own credentials: Plain, ScramSha256 or ScramSha512.</summary>
    public Confluent.Kafka.SaslMechanism SaslMechanism { get; set; } = Confluent.Kafka.SaslMechanism.Plain;

    /// <summary>Security protocol for streams that carry their own credentials: SaslPlaintext or SaslSsl.</summary>
    public Confluent.Kafka.SecurityProtocol SaslSecurityProtocol { get; set; } = Confluent.Kafka.SecurityProtocol.SaslSsl;

    public bool UsesEmbeddedBroker => string.IsNullOrWhiteSpace(BootstrapServers);
}
