using System.Text;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Produce;

/// <summary>Spec §4: headers, key-less records, messageId echo.</summary>
[Collection(ProxyTests.Name)]
public sealed class ProduceRecordShapeTests(ProxyFixture proxy)
{
    [Fact]
    public async Task Produce_HeadersAndKey_LandInKafkaInOrder()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=c&topic={topic}&keyType=string"));

        await socket.SendTextAsync("""
            {"headers":[{"key":"h1","value":"one"},{"key":"h2","value":"twö"},{"key":"h1","value":"again"},{"key":"empty","value":null}],
             "key":{"value":"the-key","format":"string"},"value":{"value":"bar","format":"string"},"messageId":"with-headers"}
            """);
        var ack = await socket.ReceiveJsonAsync();

        Assert.Equal("with-headers", ack.GetProperty("messageId").GetString());
        var record = Assert.Single(await KafkaDirect.ReadAsync(proxy.Kafka.BootstrapServers, topic, 1));
        Assert.Equal("the-key"u8.ToArray(), record.Message.Key);
        Assert.Equal("bar"u8.ToArray(), record.Message.Value);
        var headers = record.Message.Headers.Select(h => (h.Key, Encoding.UTF8.GetString(h.GetValueBytes() ?? []))).ToList();
        // The client's headers in order, then the trace context the bridge adds (docs/operations.md, "Traces").
        Assert.Equal([("h1", "one"), ("h2", "twö"), ("h1", "again"), ("empty", "")], headers[..^1]);
        Assert.Equal("traceparent", headers[^1].Key);
    }

    [Fact]
    public async Task Produce_KeylessRecordWithoutMessageId_AckHasNoMessageId()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=c&topic={topic}"));

        await socket.SendTextAsync("""{"value":{"value":"no key, no id"}}""");
        var ack = await socket.ReceiveJsonAsync();

        Assert.False(ack.TryGetProperty("messageId", out _), ack.ToString());
        Assert.Equal(topic, ack.GetProperty("topic").GetString());
        Assert.Equal(0, ack.GetProperty("partition").GetInt32());
        Assert.Equal(0, ack.GetProperty("offset").GetInt64());
        Assert.True(ack.TryGetProperty("timestamp", out _));
        var record = Assert.Single(await KafkaDirect.ReadAsync(proxy.Kafka.BootstrapServers, topic, 1));
        Assert.Null(record.Message.Key);
        // No header of the client's; only the trace context the bridge adds (docs/operations.md, "Traces").
        Assert.Equal(["traceparent"], record.Message.Headers.Select(h => h.Key));
        Assert.Equal("no key, no id"u8.ToArray(), record.Message.Value);
    }

    [Fact]
    public async Task Produce_NullValue_IsWrittenAsTombstone()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=c&topic={topic}&keyType=string"));

        await socket.SendTextAsync("""{"key":{"value":"gone"},"value":null,"messageId":"t"}""");
        var ack = await socket.ReceiveJsonAsync();

        Assert.Equal("t", ack.GetProperty("messageId").GetString());
        var record = Assert.Single(await KafkaDirect.ReadAsync(proxy.Kafka.BootstrapServers, topic, 1));
        Assert.Equal("gone"u8.ToArray(), record.Message.Key);
        Assert.Null(record.Message.Value);
    }

    [Fact]
    public async Task Produce_ClientClosesWithRecordsInFlight_GetsEveryAckThenNormalClose()
    {
        var topic = proxy.CreateTopic(partitions: 2);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=c&topic={topic}"));

        for (var i = 0; i < 200; i++)
        {
            await socket.SendTextAsync($"{{\"value\":{{\"value\":\"{i}\"}},\"messageId\":\"{i}\"}}");
        }

        // Start the close handshake at once: the acks still owed come before the server's close.
        await socket.Socket.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        var frames = await socket.ReceiveUntilCloseAsync();

        Assert.Equal(200, frames.Count);
        Assert.All(frames, f => Assert.Contains("\"offset\"", f, StringComparison.Ordinal));
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        Assert.Equal(200, (await KafkaDirect.ReadAsync(proxy.Kafka.BootstrapServers, topic, 200)).Count);
    }
}
