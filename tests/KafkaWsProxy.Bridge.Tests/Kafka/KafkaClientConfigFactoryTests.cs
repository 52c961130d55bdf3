using Confluent.Kafka;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using BridgeContracts = KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Tests.Kafka;

/// <summary>The Kafka client configuration the bridge builds for a stream.</summary>
public sealed class KafkaClientConfigFactoryTests : IDisposable
{
    private readonly KafkaClusterConnection _cluster;
    private readonly KafkaOptions _options = new() { BootstrapServers = "kafka-1:9092,kafka-2:9092" };

    public KafkaClientConfigFactoryTests() =>
        _cluster = new KafkaClusterConnection(Options.Create(_options), NullLogger<KafkaClusterConnection>.Instance);

    private KafkaClientConfigFactory Factory => new(_cluster, Options.Create(_options));

    [Theory]
    [InlineData(BridgeContracts.IsolationLevel.ReadCommitted, IsolationLevel.ReadCommitted)]
    [InlineData(BridgeContracts.IsolationLevel.ReadUncommitted, IsolationLevel.ReadUncommitted)]
    [InlineData(BridgeContracts.IsolationLevel.Unspecified, IsolationLevel.ReadUncommitted)]
    public void ConsumerConfig_IsolationLevel_IsWiredThrough(BridgeContracts.IsolationLevel requested, IsolationLevel expected)
    {
        var config = Factory.CreateConsumerConfig(new BridgeContracts.ConsumeOpen { ClientId = "c", Topic = "t", IsolationLevel = requested }, "g");

        Assert.Equal(expected, config.IsolationLevel);
    }

    [Theory]
    [InlineData(BridgeContracts.OffsetReset.Earliest, AutoOffsetReset.Earliest)]
    [InlineData(BridgeContracts.OffsetReset.Unspecified, AutoOffsetReset.Earliest)]
    [InlineData(BridgeContracts.OffsetReset.Latest, AutoOffsetReset.Latest)]
    [InlineData(BridgeContracts.OffsetReset.None, AutoOffsetReset.Error)]
    public void ConsumerConfig_OffsetReset_IsWiredThrough(BridgeContracts.OffsetReset requested, AutoOffsetReset expected)
    {
        var config = Factory.CreateConsumerConfig(new BridgeContracts.ConsumeOpen { ClientId = "c", Topic = "t", OffsetReset = requested }, "g");

        Assert.Equal(expected, config.AutoOffsetReset);
    }

    [Fact]
    public void ConsumerConfig_StoresOffsetsOnlyForCommittedRecords()
    {
        var config = Factory.CreateConsumerConfig(new BridgeContracts.ConsumeOpen { ClientId = "client-7", Topic = "t" }, "group-7");

        Assert.Equal("group-7", config.GroupId);
        Assert.Equal("client-7", config.ClientId);
        Assert.Equal("kafka-1:9092,kafka-2:9092", config.BootstrapServers);
        Assert.False(config.EnableAutoOffsetStore);
        Assert.True(config.EnableAutoCommit);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("classic", false)]
    [InlineData("consumer", true)]
    public void ConsumerConfig_GroupProtocol_FollowsOptionWithRealKafka(string option, bool kip848)
    {
        _options.GroupProtocol = option;

        var config = Factory.CreateConsumerConfig(new BridgeContracts.ConsumeOpen { ClientId = "c", Topic = "t" }, "g");

        Assert.Equal(kip848 ? "consumer" : null, config.Get("group.protocol"));
        Assert.Equal(kip848 ? null : PartitionAssignmentStrategy.CooperativeSticky, config.PartitionAssignmentStrategy);
    }

    [Fact]
    public void ProducerConfig_IsIdempotentWithAcksAll()
    {
        var config = Factory.CreateProducerConfig(credentials: null);

        Assert.True(config.EnableIdempotence);
        Assert.Equal(Acks.All, config.Acks);
        Assert.Null(config.SaslUsername);
        Assert.Null(config.SecurityProtocol);
    }

    [Fact]
    public void ProducerConfig_WithStreamCredentials_CarriesExactlyThoseSaslSettings()
    {
        _options.SaslMechanism = SaslMechanism.ScramSha512;
        _options.SaslSecurityProtocol = SecurityProtocol.SaslSsl;

        var config = Factory.CreateProducerConfig(new BridgeContracts.KafkaCredentials { Username = "alice", Password = "s3cret" });

        Assert.Equal("alice", config.SaslUsername);
        Assert.Equal("s3cret", config.SaslPassword);
        Assert.Equal(SaslMechanism.ScramSha512, config.SaslMechanism);
        Assert.Equal(SecurityProtocol.SaslSsl, config.SecurityProtocol);
    }

    [Fact]
    public void OperatorOverrides_ApplyToEveryClientAndPerKind()
    {
        _options.Client["security.protocol"] = "ssl";
        _options.Producer["linger.ms"] = "20";
        _options.Consumer["fetch.max.bytes"] = "1048576";

        var producer = Factory.CreateProducerConfig(null);
        var consumer = Factory.CreateConsumerConfig(new BridgeContracts.ConsumeOpen { ClientId = "c", Topic = "t" }, "g");

        Assert.Equal(SecurityProtocol.Ssl, producer.SecurityProtocol);
        Assert.Equal(SecurityProtocol.Ssl, consumer.SecurityProtocol);
        Assert.Equal(20, producer.LingerMs);
        Assert.Null(consumer.Get("linger.ms"));
        Assert.Equal(1048576, consumer.FetchMaxBytes);
    }

    public void Dispose() => _cluster.Dispose();
}
