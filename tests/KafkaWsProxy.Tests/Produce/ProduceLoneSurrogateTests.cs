using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Produce;

/// <summary>
/// Issue 10, docs/protocol.md §4: a frame whose JSON escapes a lone surrogate ("\ud800") is
/// answered invalid_frame in its place; it used to end the socket with 1006 and lose the acks
/// owed for the frames before it.
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class ProduceLoneSurrogateTests(ProxyFixture proxy)
{
    private const int Before = 500;
    private const int After = 100;

    [Theory]
    [InlineData("string", """{"value":{"value":"\ud800"},"messageId":"bad"}""")]
    [InlineData("json", """{"value":{"value":{"k":"\udc00"}},"messageId":"bad"}""")]
    [InlineData("string", """{"key":{"value":"\ud800"},"value":{"value":"v"},"messageId":"bad"}""")]
    [InlineData("string", """{"headers":[{"key":"h","value":"\ud800"}],"value":{"value":"v"},"messageId":"bad"}""")]
    [InlineData("string", """{"value":{"value":"v"},"messageId":"\ud800"}""")]
    public async Task Produce_LoneSurrogateAfter500PipelinedFrames_EveryFrameAnsweredInOrderAndSocketStaysOpen(string valType, string badFrame)
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=c&topic={topic}&valType={valType}"));
        var value = valType == "json" ? "{\"n\":1}" : "\"v\"";
        var frames = Enumerable.Range(0, Before).Select(i => Frame(value, $"m{i}"))
            .Append(badFrame)
            .Concat(Enumerable.Range(Before, After).Select(i => Frame(value, $"m{i}")))
            .ToList();

        var answers = socket.ReceiveJsonFramesAsync(frames.Count);
        foreach (var frame in frames)
        {
            await socket.SendTextAsync(frame);
        }

        var received = await answers;
        for (var i = 0; i < frames.Count; i++)
        {
            if (i == Before)
            {
                Assert.Equal("invalid_frame", received[i].GetProperty("error").GetProperty("code").GetString());
                continue;
            }

            var number = i < Before ? i : i - 1;
            Assert.True(received[i].TryGetProperty("offset", out var offset), $"Frame {i}: expected an ack, got {received[i]}");
            Assert.Equal(number, offset.GetInt64());
            Assert.Equal($"m{number}", received[i].GetProperty("messageId").GetString());
        }

        await socket.SendTextAsync(Frame(value, "still-open"));
        var last = await socket.ReceiveJsonAsync();
        Assert.Equal("still-open", last.GetProperty("messageId").GetString());
        Assert.Equal(Before + After + 1, await KafkaDirect.CountAsync(proxy.Kafka.BootstrapServers, topic));
    }

    private static string Frame(string value, string messageId) => $$"""{"value":{"value":{{value}}},"messageId":"{{messageId}}"}""";
}
