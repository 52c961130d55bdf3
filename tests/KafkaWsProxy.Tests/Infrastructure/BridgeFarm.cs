using System.Globalization;

namespace KafkaWsProxy.Tests.Infrastructure;

/// <summary>
/// Several real bridges on one Kafka, and several real edges each configured with every
/// bridge (Bridge:Address = a comma-separated list), as <c>BRIDGES=2 EDGES=2 ./run.sh</c> runs them.
/// </summary>
internal sealed class BridgeFarm : IAsyncDisposable
{
    private BridgeFarm(List<ServiceProcess> bridges, List<ServiceProcess> edges)
    {
        Bridges = bridges;
        Edges = edges;
    }

    public IReadOnlyList<ServiceProcess> Bridges { get; }

    public IReadOnlyList<ServiceProcess> Edges { get; }

    public static async Task<BridgeFarm> StartAsync(string bootstrapServers, int bridgeCount, int edgeCount, IDictionary<string, string?>? bridgeSettings = null)
    {
        var bridges = new List<ServiceProcess>();
        var edges = new List<ServiceProcess>();
        var farm = new BridgeFarm(bridges, edges);
        try
        {
            for (var i = 0; i < bridgeCount; i++)
            {
                var env = new Dictionary<string, string?>(bridgeSettings ?? new Dictionary<string, string?>())
                {
                    ["Kafka__BootstrapServers"] = bootstrapServers,
                    ["Kafka__TopicCacheTtl"] = "00:00:00",
                    ["Kafka__GroupProtocol"] = "consumer",
                };
                bridges.Add(await ServiceProcess.StartBridgeAsync(env));
            }

            var addresses = string.Join(",", bridges.Select(b => b.Address.ToString().TrimEnd('/')));
            for (var i = 0; i < edgeCount; i++)
            {
                edges.Add(await ServiceProcess.StartAsync("edge", BuildOutputs.EdgeDll, new Dictionary<string, string?> { ["Bridge__Address"] = addresses }));
            }

            // Streams go only to bridges an edge saw SERVING; wait until every edge saw every bridge.
            foreach (var edge in edges)
            {
                foreach (var bridge in bridges)
                {
                    await edge.WaitForLogAsync(l => l.Contains($"Bridge {bridge.Address.Authority} is healthy", StringComparison.Ordinal), $"bridge {bridge.Address.Authority} healthy");
                }
            }

            return farm;
        }
        catch
        {
            await farm.DisposeAsync();
            throw;
        }
    }

    public Uri SocketUri(int edge, string path, string query) => new($"ws://{Edges[edge].Address.Authority}{path}?{query}");

    /// <summary>The bridges whose log shows a produce stream opened for <paramref name="clientId"/>.</summary>
    public IReadOnlyList<int> BridgesServingProducer(string clientId) =>
        [.. Enumerable.Range(0, Bridges.Count).Where(i => Bridges[i].CountLog($"Produce stream opened for client {clientId} on topic") > 0)];

    /// <summary>
    /// The one bridge that took <paramref name="clientId"/>'s produce stream (each test client id
    /// is opened once). The bridges' logs are read as they come, so the line may follow the ack.
    /// </summary>
    public async Task<int> BridgeOfProducerAsync(string clientId)
    {
        await Eventually.TrueAsync(() => BridgesServingProducer(clientId).Count > 0, $"a bridge to log {clientId}'s produce stream");
        var serving = BridgesServingProducer(clientId);
        Assert.True(serving.Count == 1, string.Create(CultureInfo.InvariantCulture, $"{clientId} is on bridges [{string.Join(",", serving)}]"));
        return serving[0];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var edge in Edges)
        {
            await edge.DisposeAsync();
        }

        foreach (var bridge in Bridges)
        {
            if (!bridge.HasExited)
            {
                await bridge.StopAsync(TimeSpan.FromSeconds(15), killAfterTimeout: true);
            }

            await bridge.DisposeAsync();
        }
    }
}
