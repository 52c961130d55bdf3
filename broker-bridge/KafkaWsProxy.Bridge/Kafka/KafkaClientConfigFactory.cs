using Confluent.Kafka;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Contracts.V1;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Bridge.Kafka;

/// <summary>
/// Builds the configuration of every Kafka client the bridge creates, so that
/// bootstrap servers, operator overrides and per-stream credentials are
/// applied in one place.
/// </summary>
internal sealed class KafkaClientConfigFactory(KafkaClusterConnection cluster, IOptions<KafkaOptions> options)
{
    private readonly KafkaOptions _options = options.Value;

    public ProducerConfig CreateProducerConfig(KafkaCredentials? credentials)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            ClientId = "kafkawsproxy-bridge",
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            // Results need partition, offset and timestamp only; skip copying key and value back.
            DeliveryReportFields = "timestamp,status",
        };
        Apply(config, _options.Client);
        Apply(config, _options.Producer);
        ApplyCredentials(config, credentials);
        return config;
    }

    /// <summary>An exactly-once stream's own producer.</summary>
    public ProducerConfig CreateTransactionalProducerConfig(KafkaCredentials? credentials, string transactionalId, TimeSpan transactionTimeout)
    {
        var config = CreateProducerConfig(credentials);
        config.TransactionalId = transactionalId;
        config.TransactionTimeoutMs = (int)transactionTimeout.TotalMilliseconds;
        config.LingerMs = 0;
        return config;
    }

    /// <summary>The configuration of one stream's own consumer.</summary>
    public ConsumerConfig CreateConsumerConfig(ConsumeOpen open, string groupId)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            ClientId = open.ClientId,
            GroupId = groupId,
            // Offsets are stored only for records the client committed (or, with
            // auto-commit, that were written to the stream) and committed by
            // librdkafka in the background and when the consumer closes.
            EnableAutoCommit = true,
            EnableAutoOffsetStore = false,
            AutoCommitIntervalMs = 1000,
            AutoOffsetReset = open.OffsetReset switch
            {
                OffsetReset.Latest => Confluent.Kafka.AutoOffsetReset.Latest,
                OffsetReset.None => Confluent.Kafka.AutoOffsetReset.Error,
                _ => Confluent.Kafka.AutoOffsetReset.Earliest,
            },
            IsolationLevel = open.IsolationLevel == Contracts.V1.IsolationLevel.ReadCommitted
                ? Confluent.Kafka.IsolationLevel.ReadCommitted
                : Confluent.Kafka.IsolationLevel.ReadUncommitted,
            EnablePartitionEof = false,
            // Each socket has its own consumer: keep its prefetch small (default 64 MiB).
            QueuedMaxMessagesKbytes = 1024,
            // With a queue that small, librdkafka's default 1 s back-off after the queue
            // was full stalled a fast reader (measured: 14k instead of 62k records/s).
            FetchQueueBackoffMs = 10,
        };
        if (UsesConsumerGroupProtocol)
        {
            // KIP-848: assignment is computed by the broker, incrementally.
            config.Set("group.protocol", "consumer");
        }
        else
        {
            // Incremental rebalances: a joining socket does not stop the others.
            config.PartitionAssignmentStrategy = Confluent.Kafka.PartitionAssignmentStrategy.CooperativeSticky;
        }

        if (open.ResumeWindowMs > 0)
        {
            UseStaticMembership(config, open);
        }

        Apply(config, _options.Client);
        Apply(config, _options.Consumer);
        ApplyCredentials(config, open.Credentials);
        return config;
    }

    /// <summary>
    /// docs/protocol.md §5.2: a static member (KIP-345) keeps its partitions when its consumer
    /// closes, until its session times out; a consumer that joins with the same
    /// group.instance.id within that time takes them back without a rebalance. The classic
    /// protocol takes the session timeout from the client; KIP-848's consumer protocol from
    /// the broker (group.consumer.session.timeout.ms), so there the window cannot be chosen
    /// per socket.
    /// </summary>
    private void UseStaticMembership(ConsumerConfig config, ConsumeOpen open)
    {
        config.GroupInstanceId = $"{open.ClientId}@{config.GroupId}";
        if (!UsesConsumerGroupProtocol)
        {
            config.SessionTimeoutMs = (int)open.ResumeWindowMs;
        }
    }

    /// <summary>
    /// The consumer broadcast streams share (docs/protocol.md §5.1): assigned every partition, in no
    /// group (librdkafka wants a group.id; nothing joins or commits with it).
    /// </summary>
    public ConsumerConfig CreateBroadcastConsumerConfig(Contracts.V1.IsolationLevel isolation, KafkaCredentials? credentials)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            ClientId = "kafkawsproxy-bridge-broadcast",
            GroupId = "kafkawsproxy-bridge-broadcast-unused",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            // A start offset below the log's start (deleted by retention) reads from the oldest record left.
            AutoOffsetReset = Confluent.Kafka.AutoOffsetReset.Earliest,
            IsolationLevel = isolation == Contracts.V1.IsolationLevel.ReadCommitted
                ? Confluent.Kafka.IsolationLevel.ReadCommitted
                : Confluent.Kafka.IsolationLevel.ReadUncommitted,
            EnablePartitionEof = false,
        };
        Apply(config, _options.Client);
        Apply(config, _options.Consumer);
        ApplyCredentials(config, credentials);
        return config;
    }

    /// <summary>The session registry's writer: every claim is acknowledged by all replicas.</summary>
    public ProducerConfig CreateRegistryProducerConfig()
    {
        var config = new ProducerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            ClientId = "kafkawsproxy-bridge-sessions",
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 0,
        };
        Apply(config, _options.Client);
        return config;
    }

    /// <summary>The session registry's reader: no group, reads every partition from the start.</summary>
    public ConsumerConfig CreateRegistryConsumerConfig()
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            ClientId = "kafkawsproxy-bridge-sessions",
            GroupId = "kafkawsproxy-bridge-sessions-unused",
            EnableAutoCommit = false,
            // A claim waits for its read-back: do not let the broker hold fetches long.
            FetchWaitMaxMs = 10,
        };
        Apply(config, _options.Client);
        return config;
    }

    private bool UsesConsumerGroupProtocol => _options.GroupProtocol.ToLowerInvariant() switch
    {
        "consumer" => true,
        "classic" => false,
        _ => cluster.IsEmbedded,
    };

    /// <summary>The bridge's admin client, or one that logs in with a stream's credentials.</summary>
    public AdminClientConfig CreateAdminConfig(KafkaCredentials? credentials = null)
    {
        var config = new AdminClientConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            ClientId = "kafkawsproxy-bridge-admin",
        };
        Apply(config, _options.Client);
        ApplyCredentials(config, credentials);
        return config;
    }

    private void ApplyCredentials(ClientConfig config, KafkaCredentials? credentials)
    {
        if (credentials is null)
        {
            return;
        }

        config.SecurityProtocol = _options.SaslSecurityProtocol;
        config.SaslMechanism = _options.SaslMechanism;
        config.SaslUsername = credentials.Username;
        config.SaslPassword = credentials.Password;
    }

    private static void Apply(ClientConfig config, IReadOnlyDictionary<string, string> overrides)
    {
        foreach (var (key, value) in overrides)
        {
            config.Set(key, value);
        }
    }
}
