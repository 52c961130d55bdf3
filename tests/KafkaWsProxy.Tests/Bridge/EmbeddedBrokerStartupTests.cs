using System.Text.RegularExpressions;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Bridge;

/// <summary>
/// The default the README's run command relies on: a bridge with no bootstrap
/// servers starts the embedded broker itself, says so in its log, creates the
/// configured topics, and serves an edge end to end.
/// </summary>
public sealed partial class EmbeddedBrokerStartupTests
{
    [Fact]
    public async Task Bridge_WithoutBootstrapServers_StartsEmbeddedBrokerWithConfiguredTopicsAndServesAProducer()
    {
        await using var bridge = await ServiceProcess.StartBridgeAsync(new Dictionary<string, string?>
        {
            ["KAFKA_BOOTSTRAP_SERVERS"] = "",
            ["KAFKA_TOPICS"] = "orders:3,audit:1",
        });
        await using var edge = await ServiceProcess.StartEdgeAsync(bridge.Address);

        var announcement = bridge.LogLines.Select(l => EmbeddedBrokerLine().Match(l)).FirstOrDefault(m => m.Success);
        Assert.True(announcement is not null, bridge.Log);
        var bootstrap = announcement.Groups["bootstrap"].Value;
        Assert.Equal("orders:3,audit:1", announcement.Groups["topics"].Value);
        Assert.Equal(3, KafkaDirect.PartitionCount(bootstrap, "orders"));
        Assert.Equal(1, KafkaDirect.PartitionCount(bootstrap, "audit"));

        // As an orchestrator would: first the edge's readiness (on a busy machine the bridge's first
        // producer can take longer than Bridge:OpenTimeout, which a socket would meet as a 503).
        using var http = new HttpClient();
        await Eventually.SucceedsAsync<bool, HttpRequestException>(
            async () => (await http.GetAsync(new Uri(edge.Address, "/health/ready"))).EnsureSuccessStatusCode().IsSuccessStatusCode,
            "the edge ready", TimeSpan.FromSeconds(90));

        await using var socket = await TestSocket.ConnectAsync(new Uri($"ws://{edge.Address.Authority}/socket/in?clientId=c&topic=audit"));
        await socket.SendTextAsync("""{"value":{"value":"hello"},"messageId":"m"}""");
        var ack = await socket.ReceiveJsonAsync();

        Assert.Equal("m", ack.GetProperty("messageId").GetString());
        var record = Assert.Single(await KafkaDirect.ReadAsync(bootstrap, "audit", 1));
        Assert.Equal("hello"u8.ToArray(), record.Message.Value);
    }

    [GeneratedRegex(@"embedded Kafka broker .* at (?<bootstrap>\S+) with topics (?<topics>\S+)")]
    private static partial Regex EmbeddedBrokerLine();
}
