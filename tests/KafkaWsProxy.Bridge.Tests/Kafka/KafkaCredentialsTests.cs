using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using BridgeContracts = KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Tests.Kafka;

/// <summary>
/// docs/protocol.md §7: Kafka credentials per socket, as the bridge uses them: one producer per
/// login, never shared across logins. The refusal end to end: KafkaWsProxy.Tests Security/KafkaCredentialsTests.
/// </summary>
public sealed class KafkaCredentialsTests
{
    [Fact]
    public void ProducerPool_DifferentCredentialsNeverShareAClient_SameCredentialsDo()
    {
        // No librdkafka client is built: SASL producers in the test host (which also runs
        // the embedded broker) crashed it natively in some runs, taking the whole suite down.
        var kafka = Options.Create(new KafkaOptions { BootstrapServers = "127.0.0.1:9", SaslSecurityProtocol = Confluent.Kafka.SecurityProtocol.SaslPlaintext });
        using var cluster = new KafkaClusterConnection(kafka, NullLogger<KafkaClusterConnection>.Instance);
        using var pool = new SharedProducerPool(new KafkaClientConfigFactory(cluster, kafka), new KafkaClientFactory(NullLogger<KafkaClientFactory>.Instance))
        {
            BuildProducer = config => new RecordedProducer(config),
        };
        var alice = new BridgeContracts.KafkaCredentials { Username = "alice", Password = "a" };
        var bob = new BridgeContracts.KafkaCredentials { Username = "bob", Password = "b" };
        var aliceWithOtherPassword = new BridgeContracts.KafkaCredentials { Username = "alice", Password = "other" };

        var forAlice = pool.Get(alice);

        Assert.Same(forAlice, pool.Get(new BridgeContracts.KafkaCredentials { Username = "alice", Password = "a" }));
        Assert.NotSame(forAlice, pool.Get(bob));
        Assert.NotSame(forAlice, pool.Get(aliceWithOtherPassword));
        Assert.NotSame(forAlice, pool.Get(null));
        Assert.Equal(("alice", "a"), ((RecordedProducer)forAlice).Login);
        Assert.Equal(("bob", "b"), ((RecordedProducer)pool.Get(bob)).Login);
        Assert.Equal((null, null), ((RecordedProducer)pool.Get(null)).Login);
    }

    /// <summary>Stands in for a librdkafka producer: remembers the login it was configured with.</summary>
    private sealed class RecordedProducer(Confluent.Kafka.ProducerConfig config) : Confluent.Kafka.IProducer<byte[]?, byte[]?>
    {
        public (string? Username, string? Password) Login { get; } = (config.SaslUsername, config.SaslPassword);

        public Confluent.Kafka.Handle Handle => throw new NotSupportedException();

        public string Name => "recorded";

        public int AddBrokers(string brokers) => throw new NotSupportedException();

        public void SetSaslCredentials(string username, string password) => throw new NotSupportedException();

        public Task<Confluent.Kafka.DeliveryResult<byte[]?, byte[]?>> ProduceAsync(
            string topic, Confluent.Kafka.Message<byte[]?, byte[]?> message, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<Confluent.Kafka.DeliveryResult<byte[]?, byte[]?>> ProduceAsync(
            Confluent.Kafka.TopicPartition topicPartition, Confluent.Kafka.Message<byte[]?, byte[]?> message, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public void Produce(string topic, Confluent.Kafka.Message<byte[]?, byte[]?> message,
            Action<Confluent.Kafka.DeliveryReport<byte[]?, byte[]?>>? deliveryHandler = null) => throw new NotSupportedException();

        public void Produce(Confluent.Kafka.TopicPartition topicPartition, Confluent.Kafka.Message<byte[]?, byte[]?> message,
            Action<Confluent.Kafka.DeliveryReport<byte[]?, byte[]?>>? deliveryHandler = null) => throw new NotSupportedException();

        public int Poll(TimeSpan timeout) => 0;

        public int Flush(TimeSpan timeout) => 0;

        public void Flush(CancellationToken cancellationToken = default)
        {
        }

        public void InitTransactions(TimeSpan timeout) => throw new NotSupportedException();

        public void BeginTransaction() => throw new NotSupportedException();

        public void CommitTransaction(TimeSpan timeout) => throw new NotSupportedException();

        public void CommitTransaction() => throw new NotSupportedException();

        public void AbortTransaction(TimeSpan timeout) => throw new NotSupportedException();

        public void AbortTransaction() => throw new NotSupportedException();

        public void SendOffsetsToTransaction(IEnumerable<Confluent.Kafka.TopicPartitionOffset> offsets,
            Confluent.Kafka.IConsumerGroupMetadata groupMetadata, TimeSpan timeout) => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }
}
