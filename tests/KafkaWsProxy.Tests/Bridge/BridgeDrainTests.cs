using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Bridge;

/// <summary>Spec §6: a bridge that stops answers what it took, then its sockets close with 1001.</summary>
[Collection(ProxyTests.Name)]
public sealed class BridgeDrainTests(ProxyFixture proxy)
{
    [Fact]
    public async Task BridgeStopsWithRecordsInFlight_EveryAckedRecordIsInKafkaEveryRecordInKafkaWasAckedAndCloseIs1001()
    {
        await using var instance = await proxy.StartProxyAsync();
        var topic = proxy.CreateTopic(partitions: 2);
        await using var socket = await TestSocket.ConnectAsync(instance.SocketUri("/socket/in", $"clientId=drain-{topic}&topic={topic}"));
        await socket.SendTextAsync("""{"value":{"value":"warm-up"},"messageId":"warm-up"}""");
        Assert.Equal("warm-up", (await socket.ReceiveJsonAsync()).GetProperty("messageId").GetString());

        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < 2000; i++)
            {
                try
                {
                    await socket.SendTextAsync($"{{\"value\":{{\"value\":\"{i}\"}},\"messageId\":\"{i}\"}}");
                }
                catch (WebSocketException)
                {
                    return;
                }
            }
        });
        var stopping = instance.Bridge.StopAsync(TimeSpan.FromSeconds(20));
        var frames = await socket.ReceiveUntilCloseAsync();
        await stopping;
        await sending;

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, socket.CloseStatus);
        var acked = frames.Select(f => JsonDocument.Parse(f).RootElement)
            .Where(f => f.TryGetProperty("offset", out _))
            .Select(f => f.GetProperty("messageId").GetString()!)
            .ToHashSet();
        Assert.All(frames, f => Assert.DoesNotContain("\"error\"", f, StringComparison.Ordinal));
        var inKafka = (await KafkaDirect.ReadAsync(proxy.Kafka.BootstrapServers, topic, 1 + acked.Count))
            .Select(r => Encoding.UTF8.GetString(r.Message.Value!))
            .Where(v => v != "warm-up")
            .ToHashSet();
        Assert.Equal(acked.Order(), inKafka.Order());
        Assert.Equal(1 + acked.Count, await KafkaDirect.CountAsync(proxy.Kafka.BootstrapServers, topic));
    }

    [Fact]
    public async Task BridgeStopsUnderAConsumerSocket_CloseIs1001WithAReconnectHint()
    {
        await using var instance = await proxy.StartProxyAsync();
        var topic = proxy.CreateTopic(partitions: 2);
        await using var producer = await TestSocket.ConnectAsync(instance.SocketUri("/socket/in", $"clientId=drain-p-{topic}&topic={topic}"));
        await producer.SendTextAsync("""{"value":{"value":"v"},"messageId":"m"}""");
        Assert.Equal("m", (await producer.ReceiveJsonAsync()).GetProperty("messageId").GetString());
        await using var consumer = await TestSocket.ConnectAsync(instance.SocketUri("/socket/out", $"clientId=drain-c-{topic}&topic={topic}"));
        Assert.Equal("v", (await consumer.ReceiveJsonAsync()).GetProperty("value").GetProperty("value").GetString());

        var stopping = instance.Bridge.StopAsync(TimeSpan.FromSeconds(20));
        await consumer.ReceiveUntilCloseAsync();
        await producer.ReceiveUntilCloseAsync();
        await stopping;

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, consumer.CloseStatus);
        Assert.Contains("reconnect", consumer.CloseDescription, StringComparison.Ordinal);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, producer.CloseStatus);
    }
}
