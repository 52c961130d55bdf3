using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Consume;

/// <summary>
/// Issue 10, docs/protocol.md §5: a commit frame whose JSON escapes a lone surrogate is answered
/// invalid_frame in its place; it used to end the socket with 1006.
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class ConsumeLoneSurrogateTests(ProxyFixture proxy)
{
    private const int Before = 500;
    private const int After = 100;

    [Fact]
    public async Task Commit_LoneSurrogateAfter500PipelinedCommitFrames_EveryFrameAnsweredInOrderAndSocketStaysOpen()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 1);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=c-{topic}&topic={topic}&autoCommit=false"));
        var first = Assert.Single(await socket.ReceiveRecordsAsync(1));

        // Commits of another topic are each answered (invalid_commit, naming the id), so every frame's answer is seen.
        var frames = Enumerable.Range(0, Before).Select(i => Commit($"other-0-{i}-1"))
            .Append("""{"wsProxyMessageId":"\ud800"}""")
            .Concat(Enumerable.Range(Before, After).Select(i => Commit($"other-0-{i}-1")))
            .ToList();
        var answers = socket.ReceiveJsonFramesAsync(frames.Count);
        foreach (var frame in frames)
        {
            await socket.SendTextAsync(frame);
        }

        var received = await answers;
        for (var i = 0; i < frames.Count; i++)
        {
            var error = received[i].GetProperty("error");
            if (i == Before)
            {
                Assert.Equal("invalid_frame", error.GetProperty("code").GetString());
                continue;
            }

            var number = i < Before ? i : i - 1;
            Assert.Equal("invalid_commit", error.GetProperty("code").GetString());
            Assert.Equal($"other-0-{number}-1", received[i].GetProperty("wsProxyMessageId").GetString());
        }

        // Still open and still working: a real commit is taken, and the next record arrives.
        await socket.SendTextAsync(first.CommitFrame);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 1, prefix: "next");
        var next = Assert.Single(await socket.ReceiveRecordsAsync(1));
        Assert.Equal("next0", next.Value);
    }

    private static string Commit(string id) => $$"""{"wsProxyMessageId":"{{id}}"}""";
}
