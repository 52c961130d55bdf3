using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Consume;

/// <summary>Spec §5, autoCommit=false: cumulative commits, redelivery of what was not committed, bad commits answered.</summary>
[Collection(ProxyTests.Name)]
public sealed class ConsumeCommitTests(ProxyFixture proxy)
{
    [Fact]
    public async Task Commit_RecordKOfN_ReconnectResumesAtKPlusOne()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 10);
        var query = $"clientId=c-{topic}&groupId=g-{topic}&topic={topic}&autoCommit=false";

        await using (var first = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", query)))
        {
            var records = await first.ReceiveRecordsAsync(10);
            Assert.Equal(Enumerable.Range(0, 10).Select(i => $"v{i}"), records.Select(r => r.Value));
            await first.SendTextAsync(records[3].CommitFrame);
            await first.CloseAsync();
        }

        await using var second = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", query));
        var again = await second.ReceiveRecordsAsync(6);

        Assert.Equal(Enumerable.Range(4, 6).Select(i => $"v{i}"), again.Select(r => r.Value));
    }

    [Fact]
    public async Task Commit_NothingCommitted_EverythingComesAgain()
    {
        var topic = proxy.CreateTopic(partitions: 2);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 8);
        var query = $"clientId=c-{topic}&topic={topic}&autoCommit=false";

        await using (var first = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", query)))
        {
            Assert.Equal(8, (await first.ReceiveRecordsAsync(8)).Count);
            await first.CloseAsync();
        }

        await using var second = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", query));
        var again = await second.ReceiveRecordsAsync(8);

        Assert.Equal(Enumerable.Range(0, 8).Select(i => $"v{i}").Order(), again.Select(r => r.Value).Order());
    }

    [Fact]
    public async Task Commit_AutoCommitTrue_ReconnectGetsOnlyNewRecords()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 5);
        var query = $"clientId=c-{topic}&topic={topic}";

        await using (var first = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", query)))
        {
            Assert.Equal(5, (await first.ReceiveRecordsAsync(5)).Count);
            await first.CloseAsync();
        }

        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 2, prefix: "new");
        await using var second = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", query));

        Assert.Equal(["new0", "new1"], (await second.ReceiveRecordsAsync(2)).Select(r => r.Value));
    }

    [Fact]
    public async Task Commit_UnknownStaleMalformedAndGarbage_GetErrorFramesAndSocketStaysOpen()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 3);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=c-{topic}&topic={topic}&autoCommit=false"));
        var records = await socket.ReceiveRecordsAsync(3);

        await socket.SendTextAsync(records[1].CommitFrame);
        await socket.SendTextAsync(records[0].CommitFrame);
        var stale = await socket.ReceiveJsonAsync();
        await socket.SendTextAsync($"{{\"wsProxyMessageId\":\"{topic}-0-99-{records[0].Json.GetProperty("timestamp").GetInt64()}\"}}");
        var unknown = await socket.ReceiveJsonAsync();
        await socket.SendTextAsync("{\"wsProxyMessageId\":\"other-topic-0-1-5\"}");
        var otherTopic = await socket.ReceiveJsonAsync();
        await socket.SendTextAsync("{\"wsProxyMessageId\":\"nonsense\"}");
        var malformed = await socket.ReceiveJsonAsync();
        await socket.SendTextAsync("garbage{");
        var garbage = await socket.ReceiveJsonAsync();

        Assert.Equal("commit_failed", stale.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("already committed", stale.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(records[0].MessageId, stale.GetProperty("wsProxyMessageId").GetString());
        Assert.Equal("commit_failed", unknown.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("invalid_commit", otherTopic.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("invalid_commit", malformed.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("invalid_frame", garbage.GetProperty("error").GetProperty("code").GetString());

        // Still open and still delivering.
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 1, prefix: "later");
        Assert.Equal("later0", Assert.Single(await socket.ReceiveRecordsAsync(1)).Value);
    }

    [Fact]
    public async Task Commit_OnAutoCommitSocket_IsAnsweredWithErrorFrame()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 1);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=c-{topic}&topic={topic}"));
        var record = Assert.Single(await socket.ReceiveRecordsAsync(1));

        await socket.SendTextAsync(record.CommitFrame);
        var error = await socket.ReceiveJsonAsync();

        Assert.Equal("invalid_commit", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("autoCommit", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
