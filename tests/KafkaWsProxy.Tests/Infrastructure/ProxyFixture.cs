using KafkaWsProxy.EmbeddedKafka;

namespace KafkaWsProxy.Tests.Infrastructure;

/// <summary>
/// The embedded broker (in this test process, reached over TCP), a real bridge
/// pointed at it, and a real edge pointed at the bridge: started once for
/// every test of the "proxy" collection.
/// </summary>
public sealed class ProxyFixture : IAsyncLifetime
{
    private int _topicCounter;

    public EmbeddedKafkaCluster Kafka { get; private set; } = null!;

    internal ServiceProcess Bridge { get; private set; } = null!;

    internal ServiceProcess Edge { get; private set; } = null!;

    public Uri EdgeHttp => Edge.Address;

    public async Task InitializeAsync()
    {
        Kafka = new EmbeddedKafkaCluster();
        Bridge = await ServiceProcess.StartBridgeAsync(new Dictionary<string, string?>
        {
            ["Kafka__BootstrapServers"] = Kafka.BootstrapServers,
            // Topics are created by the tests, so a fresh one must be seen at once.
            ["Kafka__TopicCacheTtl"] = "00:00:00",
        });
        Edge = await ServiceProcess.StartEdgeAsync(Bridge.Address);
    }

    /// <summary>A new topic with a unique name.</summary>
    public string CreateTopic(int partitions = 4, string prefix = "t")
    {
        var name = $"{prefix}-{Interlocked.Increment(ref _topicCounter)}-{Guid.NewGuid().ToString("N")[..8]}";
        Kafka.CreateTopic(name, partitions);
        return name;
    }

    public Uri SocketUri(string path, string query) =>
        new($"ws://{EdgeHttp.Authority}{path}?{query}");

    public async Task DisposeAsync()
    {
        await Edge.DisposeAsync();
        await Bridge.DisposeAsync();
        Kafka.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ProxyTests : ICollectionFixture<ProxyFixture>
{
    public const string Name = "proxy";
}
