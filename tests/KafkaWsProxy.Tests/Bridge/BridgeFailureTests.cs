using System.Net.WebSockets;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Bridge;

/// <summary>Spec §6: when the bridge dies under an open socket, the socket closes with 1011 and a reason.</summary>
public sealed class BridgeFailureTests
{
    [Fact]
    public async Task Socket_BridgeKilledMidStream_ClosesWith1011AndReason()
    {
        using var kafka = new KafkaWsProxy.EmbeddedKafka.EmbeddedKafkaCluster();
        kafka.CreateTopic("crash", 1);
        kafka.CreateSessionRegistryTopic();
        var bridge = await ServiceProcess.StartBridgeAsync(new Dictionary<string, string?> { ["Kafka__BootstrapServers"] = kafka.BootstrapServers });
        await using var edge = await ServiceProcess.StartEdgeAsync(bridge.Address);
        await using var socket = await TestSocket.ConnectAsync(new Uri($"ws://{edge.Address.Authority}/socket/in?clientId=c&topic=crash"));
        await socket.SendTextAsync("""{"value":{"value":"before"},"messageId":"1"}""");
        Assert.Equal("1", (await socket.ReceiveJsonAsync()).GetProperty("messageId").GetString());

        await bridge.KillAsync();
        await bridge.DisposeAsync();
        var frames = await socket.ReceiveUntilCloseAsync();

        Assert.Empty(frames);
        Assert.Equal(WebSocketCloseStatus.InternalServerError, socket.CloseStatus);
        Assert.Contains("bridge", socket.CloseDescription, StringComparison.OrdinalIgnoreCase);
        Assert.False(edge.HasExited);
        var health = await HandshakeProbe.GetAsync(edge.Address, "/healthcheck");
        Assert.Equal(System.Net.HttpStatusCode.OK, health.Status);
    }
}
