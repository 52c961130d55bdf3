using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaWsProxy.EmbeddedKafka;

namespace KafkaWsProxy.Benchmarks.Infrastructure;

/// <summary>The broker (embedded, or KAFKA_BOOTSTRAP_SERVERS) and one bridge + one edge pointed at it.</summary>
internal sealed class BenchEnvironment : IAsyncDisposable
{
    public const int Partitions = 4;
    private const string SessionRegistryTopic = "_kafkawsproxy_sessions";

    private readonly EmbeddedKafkaCluster? _embedded;
    private readonly string _runId = DateTime.UtcNow.ToString("HHmmss", System.Globalization.CultureInfo.InvariantCulture);
    private int _topics;

    private BenchEnvironment(EmbeddedKafkaCluster? embedded, string bootstrapServers)
    {
        _embedded = embedded;
        BootstrapServers = bootstrapServers;
    }

    public string BootstrapServers { get; }

    /// <summary>The broker runs inside this process, so this process's CPU includes the broker's.</summary>
    public bool Embedded => _embedded is not null;

    public ServiceProcess Bridge { get; private set; } = null!;

    /// <summary>Kafka:GroupProtocol as the bridge was started with it.</summary>
    public string GroupProtocol { get; private set; } = "";

    public ServiceProcess Edge { get; private set; } = null!;

    public static async Task<BenchEnvironment> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable("KAFKA_BOOTSTRAP_SERVERS");
        EmbeddedKafkaCluster? embedded = null;
        if (string.IsNullOrWhiteSpace(external))
        {
            embedded = new EmbeddedKafkaCluster(1);
            // The bridge creates its registry topic with CreateTopics, which the embedded broker lacks.
            embedded.CreateTopic(SessionRegistryTopic, 1);
        }

        var environment = new BenchEnvironment(embedded, embedded?.BootstrapServers ?? external!);
        try
        {
            var bridgeEnv = new Dictionary<string, string?>
            {
                ["Kafka__BootstrapServers"] = environment.BootstrapServers,
                // Topics are created per scenario, so a fresh one must be seen at once.
                ["Kafka__TopicCacheTtl"] = "00:00:00",
            };
            if (embedded is not null)
            {
                // The embedded broker's classic protocol cannot add a member to a stable group; KIP-848 works.
                bridgeEnv["Kafka__GroupProtocol"] = Environment.GetEnvironmentVariable("BENCH_GROUP_PROTOCOL") ?? "consumer";
            }

            environment.GroupProtocol = bridgeEnv.GetValueOrDefault("Kafka__GroupProtocol") ?? "the bridge's default";

            environment.Bridge = await ServiceProcess.StartBridgeAsync(bridgeEnv, options: ServiceProcessOptions.Benchmarks);
            environment.Edge = await ServiceProcess.StartEdgeAsync(environment.Bridge.Address, options: ServiceProcessOptions.Benchmarks);
            return environment;
        }
        catch
        {
            await environment.DisposeAsync();
            throw;
        }
    }

    public Uri SocketUri(string path, string query) => new($"ws://{Edge.Address.Authority}{path}?{query}");

    /// <summary>A new topic with <see cref="Partitions"/> partitions.</summary>
    public async Task<string> CreateTopicAsync(string purpose)
    {
        var name = $"bench-{_runId}-{purpose}-{Interlocked.Increment(ref _topics)}";
        if (_embedded is not null)
        {
            _embedded.CreateTopic(name, Partitions);
            return name;
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = name, NumPartitions = Partitions, ReplicationFactor = -1 }]);
        return name;
    }

    public ProducerConfig DirectProducerConfig(int lingerMs = 5) => new()
    {
        BootstrapServers = BootstrapServers,
        Acks = Acks.All,
        EnableIdempotence = true,
        LingerMs = lingerMs,
    };

    public async ValueTask DisposeAsync()
    {
        if (Edge is not null)
        {
            await Edge.StopAsync(TimeSpan.FromSeconds(10), killAfterTimeout: true);
            await Edge.DisposeAsync();
        }

        if (Bridge is not null)
        {
            await Bridge.StopAsync(TimeSpan.FromSeconds(15), killAfterTimeout: true);
            await Bridge.DisposeAsync();
        }

        _embedded?.Dispose();
    }
}
