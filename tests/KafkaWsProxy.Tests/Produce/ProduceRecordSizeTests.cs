using System.Net.WebSockets;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Produce;

/// <summary>
/// Issue 10, docs/protocol.md §4 and §6: every record the limits admit (Sockets:MaxFrameBytes,
/// Kafka's message.max.bytes) reaches Kafka at any pace; a record Kafka refuses for its size is
/// answered too_large; only a frame over Sockets:MaxFrameBytes closes the socket (1009).
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class ProduceRecordSizeTests(ProxyFixture proxy)
{
    // The edge's default Sockets:MaxFrameBytes; librdkafka's default message.max.bytes.
    private const int MaxFrameBytes = 1024 * 1024;
    private const int KafkaMaxMessageBytes = 1_000_000;

    // 1,200 records of 10,000 characters are 12 MB: gRPC messages bounded by record count alone
    // (500 a message) passed gRPC's default 4 MB and closed the socket with 1011.
    [Fact]
    public async Task Produce_1200PipelinedFramesOf10000Characters_AllAckedInOrder()
    {
        const int count = 1_200;
        var topic = proxy.CreateTopic(partitions: 4);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=c&topic={topic}"));
        var value = new string('x', 10_000);

        var answers = socket.ReceiveJsonFramesAsync(count);
        for (var i = 0; i < count; i++)
        {
            await socket.SendTextAsync(Frame(value, $"m{i}"));
        }

        var acks = await answers;
        for (var i = 0; i < count; i++)
        {
            Assert.True(acks[i].TryGetProperty("offset", out _), $"Frame {i}: expected an ack, got {Shorten(acks[i].ToString())}");
            Assert.Equal($"m{i}", acks[i].GetProperty("messageId").GetString());
        }

        Assert.Equal(count, await KafkaDirect.CountAsync(proxy.Kafka.BootstrapServers, topic));
    }

    [Fact]
    public async Task Produce_RecordJustUnderKafkasLimit_IsAckedAndConsumedWhole()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        var value = new string('y', KafkaMaxMessageBytes - 1_000);
        await using (var producer = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=c&topic={topic}")))
        {
            await producer.SendTextAsync(Frame(value, "big"));
            var ack = await producer.ReceiveJsonAsync();
            Assert.True(ack.TryGetProperty("offset", out _), $"Expected an ack, got {Shorten(ack.ToString())}");
        }

        await using var consumer = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=c-{topic}&topic={topic}"));
        var record = Assert.Single(await consumer.ReceiveRecordsAsync(1));
        Assert.Equal(value, record.Value);
    }

    [Fact]
    public async Task Produce_RecordOverKafkasLimitInAFrameUnderTheFrameLimit_GetsTooLargeAndSocketStaysOpen()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=c&topic={topic}"));
        var frame = FrameOfExactly(MaxFrameBytes, "too-big");

        await socket.SendTextAsync(frame);
        await socket.SendTextAsync(Frame("small", "after"));
        var error = await socket.ReceiveJsonAsync();
        var ack = await socket.ReceiveJsonAsync();

        Assert.Equal("too_large", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("too-big", error.GetProperty("messageId").GetString());
        Assert.Equal("after", ack.GetProperty("messageId").GetString());
        Assert.Equal(0, ack.GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task Produce_FrameOneByteOverTheFrameLimit_ClosesWith1009AfterAnsweringTheFramesBefore()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=c&topic={topic}"));

        await socket.SendTextAsync(Frame("small", "before"));
        await socket.SendTextAsync(FrameOfExactly(MaxFrameBytes + 1, "over"));
        var frames = await socket.ReceiveUntilCloseAsync();

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, socket.CloseStatus);
        Assert.Contains("\"before\"", Assert.Single(frames), StringComparison.Ordinal);
    }

    private static string Frame(string value, string messageId) => $$"""{"value":{"value":"{{value}}"},"messageId":"{{messageId}}"}""";

    /// <summary>A valid frame of exactly <paramref name="bytes"/> bytes (ASCII).</summary>
    private static string FrameOfExactly(int bytes, string messageId)
    {
        var overhead = Frame("", messageId).Length;
        var frame = Frame(new string('z', bytes - overhead), messageId);
        Assert.Equal(bytes, frame.Length);
        return frame;
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";
}
