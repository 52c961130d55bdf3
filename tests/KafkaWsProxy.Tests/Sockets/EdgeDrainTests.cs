using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Sockets;

/// <summary>
/// Spec §6: an edge asked to stop (SIGTERM) drains: it refuses new sockets with 503 and
/// Retry-After, sends every ack still owed, closes every socket with 1001, then exits.
/// Each test stops its own edge, so the shared one survives.
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class EdgeDrainTests(ProxyFixture proxy)
{
    [Fact]
    public async Task EdgeStopsDuringPipelinedProduce_EveryAckedRecordIsInKafkaNoneAnsweredWithAnError_SocketsClose1001()
    {
        await using var instance = await proxy.StartProxyAsync();
        var topic = proxy.CreateTopic(partitions: 2);
        await using var consumer = await TestSocket.ConnectAsync(instance.SocketUri("/socket/out", $"clientId=edge-drain-c-{topic}&topic={topic}"));
        await using var producer = await TestSocket.ConnectAsync(instance.SocketUri("/socket/in", $"clientId=edge-drain-{topic}&topic={topic}"));
        await producer.SendTextAsync("""{"value":{"value":"warm-up"},"messageId":"warm-up"}""");
        Assert.Equal("warm-up", (await producer.ReceiveJsonAsync()).GetProperty("messageId").GetString());
        Assert.Equal("warm-up", (await consumer.ReceiveJsonAsync()).GetProperty("value").GetProperty("value").GetString());
        var consuming = consumer.ReceiveUntilCloseAsync();

        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < 2000; i++)
            {
                try
                {
                    await producer.SendTextAsync($"{{\"value\":{{\"value\":\"{i}\"}},\"messageId\":\"{i}\"}}");
                }
                catch (WebSocketException)
                {
                    return;
                }
            }
        });

        // The first pipelined ack: records are in flight when the edge is told to stop.
        var frames = new List<string> { (await producer.ReceiveJsonAsync()).GetRawText() };
        var stopping = instance.Edge.StopAsync(TimeSpan.FromSeconds(60));
        frames.AddRange(await producer.ReceiveUntilCloseAsync());
        await consuming;
        await producer.CloseAsync();
        await consumer.CloseAsync();
        await stopping;
        await sending;

        Assert.True(instance.Edge.HasExited);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, producer.CloseStatus);
        Assert.Contains("reconnect", producer.CloseDescription, StringComparison.Ordinal);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, consumer.CloseStatus);
        Assert.All(frames, f => Assert.DoesNotContain("\"error\"", f, StringComparison.Ordinal));
        var acked = frames.Select(f => JsonDocument.Parse(f).RootElement)
            .Where(f => f.TryGetProperty("offset", out _))
            .Select(f => f.GetProperty("messageId").GetString()!)
            .ToHashSet();
        var inKafka = (await KafkaDirect.ReadAsync(proxy.Kafka.BootstrapServers, topic, 1 + acked.Count))
            .Select(r => Encoding.UTF8.GetString(r.Message.Value!))
            .Where(v => v != "warm-up")
            .ToHashSet();
        Assert.Equal(acked.Order(), inKafka.Order());
        Assert.Equal(1 + acked.Count, await KafkaDirect.CountAsync(proxy.Kafka.BootstrapServers, topic));
    }

    [Fact]
    public async Task EdgeDraining_NewSocketIsRefusedWith503JsonAndRetryAfter_ThenTheEdgeExits()
    {
        // The edge waits for this client's answer to its close frame (up to the close timeout),
        // which the test gives only after probing: the drain is still running meanwhile.
        await using var instance = await proxy.StartProxyAsync(edgeSettings: new Dictionary<string, string?> { ["Sockets__CloseTimeout"] = "00:02:00" });
        var topic = proxy.CreateTopic(partitions: 1);
        await using var held = await TestSocket.ConnectAsync(instance.SocketUri("/socket/in", $"clientId=held-{topic}&topic={topic}"));
        await held.SendTextAsync("""{"value":{"value":"v"},"messageId":"m"}""");
        Assert.Equal("m", (await held.ReceiveJsonAsync()).GetProperty("messageId").GetString());

        var stopping = instance.Edge.StopAsync(TimeSpan.FromSeconds(60));
        await instance.Edge.WaitForLogAsync(l => l.Contains("Draining:", StringComparison.Ordinal), "the drain began");
        var (status, body, retryAfter) = await HandshakeProbe.UpgradeWithRetryAfterAsync(
            instance.Edge.Address, $"/socket/out?clientId=late-{topic}&topic={topic}");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("1", retryAfter);
        Assert.Contains("shutting down", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(await held.ReceiveUntilCloseAsync());
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, held.CloseStatus);
        await held.CloseAsync();
        await stopping;
        Assert.True(instance.Edge.HasExited);
    }
}
