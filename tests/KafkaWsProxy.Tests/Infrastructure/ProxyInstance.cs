namespace KafkaWsProxy.Tests.Infrastructure;

/// <summary>A real bridge and a real edge pointed at a given Kafka, with optional settings for each.</summary>
internal sealed class ProxyInstance : IAsyncDisposable
{
    private ProxyInstance(ServiceProcess bridge, ServiceProcess edge)
    {
        Bridge = bridge;
        Edge = edge;
    }

    public ServiceProcess Bridge { get; }

    public ServiceProcess Edge { get; }

    public static async Task<ProxyInstance> StartAsync(
        string bootstrapServers,
        IDictionary<string, string?>? bridgeSettings = null,
        IDictionary<string, string?>? edgeSettings = null)
    {
        var bridgeEnv = new Dictionary<string, string?>(bridgeSettings ?? new Dictionary<string, string?>())
        {
            ["Kafka__BootstrapServers"] = bootstrapServers,
            // Topics are created by the tests, so a fresh one must be seen at once.
            ["Kafka__TopicCacheTtl"] = "00:00:00",
            // The embedded broker's classic group protocol cannot add a member to a
            // stable group (the join waits for max.poll.interval.ms); KIP-848 works.
            ["Kafka__GroupProtocol"] = "consumer",
        };
        var bridge = await ServiceProcess.StartBridgeAsync(bridgeEnv);
        try
        {
            var edge = await ServiceProcess.StartEdgeAsync(bridge.Address, edgeSettings);
            return new ProxyInstance(bridge, edge);
        }
        catch
        {
            await bridge.DisposeAsync();
            throw;
        }
    }

    public Uri SocketUri(string path, string query) => new($"ws://{Edge.Address.Authority}{path}?{query}");

    /// <summary>Stops both cleanly (as an orchestrator would), so the bridge removes its registry entries.</summary>
    public async ValueTask DisposeAsync()
    {
        await Edge.DisposeAsync();
        if (!Bridge.HasExited)
        {
            try
            {
                await Bridge.StopAsync(TimeSpan.FromSeconds(15));
            }
            catch (TimeoutException)
            {
                // Killed below.
            }
        }

        await Bridge.DisposeAsync();
    }
}
