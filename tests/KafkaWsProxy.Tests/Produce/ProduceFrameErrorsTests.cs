using System.Net.WebSockets;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Produce;

/// <summary>Spec §4 and §6: a bad frame gets an error frame in its place and the stream goes on; an oversized one closes with 1009.</summary>
[Collection(ProxyTests.Name)]
public sealed class ProduceFrameErrorsTests(ProxyFixture proxy)
{
    [Fact]
    public async Task Produce_MalformedEmptyAndBinaryFramesMidStream_GetErrorFramesInPlaceAndLaterRecordsLand()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=c&topic={topic}"));

        await socket.SendTextAsync("""{"value":{"value":"first"},"messageId":"1"}""");
        await socket.SendTextAsync("""{"value":{"value":"broken" """);
        await socket.SendTextAsync("");
        await socket.SendBinaryAsync([0x7b, 0x7d]);
        await socket.SendTextAsync("[1,2,3]");
        await socket.SendTextAsync("""{"messageId":"no-value"}""");
        await socket.SendTextAsync("""{"value":{"value":"last"},"messageId":"2"}""");

        var frames = new List<System.Text.Json.JsonElement>();
        for (var i = 0; i < 7; i++)
        {
            frames.Add(await socket.ReceiveJsonAsync());
        }

        Assert.Equal("1", frames[0].GetProperty("messageId").GetString());
        Assert.Equal(0, frames[0].GetProperty("offset").GetInt64());
        Assert.Equal("invalid_frame", ErrorCode(frames[1]));
        Assert.Equal("empty_frame", ErrorCode(frames[2]));
        Assert.Equal("binary_frame", ErrorCode(frames[3]));
        Assert.Equal("invalid_frame", ErrorCode(frames[4]));
        Assert.Equal("invalid_frame", ErrorCode(frames[5]));
        Assert.Equal("no-value", frames[5].GetProperty("messageId").GetString());
        Assert.Equal("2", frames[6].GetProperty("messageId").GetString());
        Assert.Equal(1, frames[6].GetProperty("offset").GetInt64());

        var records = await KafkaDirect.ReadAsync(proxy.Kafka.BootstrapServers, topic, 2);
        Assert.Equal(["first", "last"], records.Select(r => System.Text.Encoding.UTF8.GetString(r.Message.Value!)));
    }

    [Fact]
    public async Task Produce_FrameOverTheLimit_ClosesWith1009AndOtherSocketsKeepWorking()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await using var bystander = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=other&topic={topic}"));
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=big&topic={topic}"));

        await socket.SendTextAsync("""{"value":{"value":"fits"},"messageId":"small"}""");
        var huge = new string('x', 1024 * 1024 + 1);
        await socket.SendTextAsync($"{{\"value\":{{\"value\":\"{huge}\"}}}}");
        var frames = await socket.ReceiveUntilCloseAsync();

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, socket.CloseStatus);
        Assert.Single(frames);
        Assert.Contains("\"small\"", frames[0], StringComparison.Ordinal);

        await bystander.SendTextAsync("""{"value":{"value":"still here"},"messageId":"b"}""");
        var ack = await bystander.ReceiveJsonAsync();
        Assert.Equal("b", ack.GetProperty("messageId").GetString());
    }

    private static string? ErrorCode(System.Text.Json.JsonElement frame) =>
        frame.TryGetProperty("error", out var error) ? error.GetProperty("code").GetString() : $"(not an error: {frame})";
}
