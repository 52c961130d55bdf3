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
    private ProxyInstance _proxy = null!;

    public EmbeddedKafkaCluster Kafka { get; private set; } = null!;

    internal ServiceProcess Bridge => _proxy.Bridge;

    internal ServiceProcess Edge => _proxy.Edge;

    public Uri EdgeHttp => Edge.Address;

    public async Task InitializeAsync()
    {
        Kafka = new EmbeddedKafkaCluster();
        Kafka.CreateSessionRegistryTopic();
        _proxy = await ProxyInstance.StartAsync(Kafka.BootstrapServers);
    }

    /// <summary>A new topic with a unique name.</summary>
    public string CreateTopic(int partitions = 4, string prefix = "t")
    {
        var name = $"{prefix}-{Interlocked.Increment(ref _topicCounter)}-{Guid.NewGuid().ToString("N")[..8]}";
        Kafka.CreateTopic(name, partitions);
        return name;
    }

    public Uri SocketUri(string path, string query) => _proxy.SocketUri(path, query);

    /// <summary>Another bridge and edge on the same Kafka, with their own settings.</summary>
    internal Task<ProxyInstance> StartProxyAsync(
        IDictionary<string, string?>? bridgeSettings = null, IDictionary<string, string?>? edgeSettings = null) =>
        ProxyInstance.StartAsync(Kafka.BootstrapServers, bridgeSettings, edgeSettings);

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        Kafka.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ProxyTests : ICollectionFixture<ProxyFixture>
{
    public const string Name = "proxy";
}
