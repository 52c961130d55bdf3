namespace KafkaWsProxy.Bridge.Configuration;

/// <summary>
/// Session limits, shared by every bridge on the same Kafka through a compacted
/// registry topic. Section "Sessions".
/// </summary>
public sealed class SessionsOptions
{
    public const string SectionName = "Sessions";

    /// <summary>
    /// Producer sessions (the user's producer.sessions-enabled): instanceId is
    /// required on /socket/in and sockets per clientId are limited.
    /// </summary>
    public bool ProducerSessionsEnabled { get; set; }

    /// <summary>Exactly-once producers (transactional=true); needs <see cref="ProducerSessionsEnabled"/> too.</summary>
    public bool ExactlyOnceEnabled { get; set; }

    /// <summary>Open producer sockets per clientId when producer sessions are on; 0 = unlimited.</summary>
    public int ProducerLimit { get; set; }

    /// <summary>Per-clientId overrides of <see cref="ProducerLimit"/>.</summary>
    public Dictionary<string, int> ProducerLimits { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Open consumer sockets per groupId; 0 = as many as the topic has partitions
    /// (more would sit idle). Never more than the partition count.
    /// </summary>
    public int ConsumerLimit { get; set; }

    /// <summary>Per-groupId overrides of <see cref="ConsumerLimit"/>.</summary>
    public Dictionary<string, int> ConsumerLimits { get; } = new(StringComparer.Ordinal);

    /// <summary>The compacted topic that holds the registry; created at start when missing.</summary>
    public string Topic { get; set; } = "_kafkawsproxy_sessions";

    /// <summary>Replication factor when the bridge creates the registry topic; -1 = the broker's default.</summary>
    public short TopicReplicationFactor { get; set; } = -1;

    /// <summary>
    /// An entry whose owner stopped heartbeating is ignored after this long, so a
    /// crashed bridge never locks a client out for longer.
    /// </summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a bridge renews the entries it owns; well under <see cref="Ttl"/>.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deadline for registering one session.</summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public int ProducerLimitFor(string clientId) =>
        ProducerLimits.TryGetValue(clientId, out var limit) ? limit : ProducerLimit;

    public int ConsumerLimitFor(string groupId) =>
        ConsumerLimits.TryGetValue(groupId, out var limit) ? limit : ConsumerLimit;
}
