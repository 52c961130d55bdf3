using System.Net;
using System.Net.WebSockets;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Broadcast;

/// <summary>docs/protocol.md §5.1: broadcast sockets share one consumer and each gets every record.</summary>
[Collection(ProxyTests.Name)]
public sealed class BroadcastDeliveryTests(ProxyFixture proxy)
{
    [Fact]
    public async Task FiveHundredSockets_EachGetsEveryRecordInOrderPerPartition()
    {
        const int sockets = 500;
        const int perPartition = 10;
        var topic = proxy.CreateTopic(partitions: 3);
        var opened = new List<TestSocket>();
        try
        {
            // A socket is accepted once the bridge has added it to the shared consumer, so every
            // record produced after the last accept reaches all of them.
            foreach (var chunk in Enumerable.Range(0, sockets).Chunk(50))
            {
                opened.AddRange(await Task.WhenAll(chunk.Select(i =>
                    TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=dash-{i}&topic={topic}&mode=broadcast")))));
            }

            foreach (var partition in new[] { 0, 1, 2 })
            {
                await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, perPartition, partition, prefix: $"p{partition}-");
            }

            var received = await Task.WhenAll(opened.Select(s => s.ReceiveRecordsAsync(3 * perPartition)));

            foreach (var records in received)
            {
                foreach (var partition in new[] { 0, 1, 2 })
                {
                    var values = records.Where(r => r.Partition == partition).Select(r => r.Value).ToList();
                    Assert.Equal(Enumerable.Range(0, perPartition).Select(i => $"p{partition}-{i}"), values);
                }
            }

            // The bridge's log is read through a pipe: its line may come after the records.
            await proxy.Bridge.WaitForLogAsync(l => l.Contains($"Broadcast consumer started for {topic} ", StringComparison.Ordinal), "the shared consumer's start logged");
            Assert.Single(proxy.Bridge.LogLines, l => l.Contains($"Broadcast consumer started for {topic} ", StringComparison.Ordinal));
        }
        finally
        {
            await Task.WhenAll(opened.Select(s => s.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task LastSocketClosed_ReleasesTheSharedConsumer_NotBefore()
    {
        var topic = proxy.CreateTopic(partitions: 2);
        var query = $"topic={topic}&mode=broadcast";
        await using var first = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=a&{query}"));
        await using var second = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=b&{query}"));
        var released = $"Broadcast consumer for {topic} ";

        await first.CloseAsync();
        Assert.Equal(WebSocketCloseStatus.NormalClosure, first.CloseStatus);
        // The other socket still reads through the consumer: it was not released.
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 1, partition: 1, prefix: "still");
        Assert.Equal("still0", Assert.Single(await second.ReceiveRecordsAsync(1)).Value);
        Assert.DoesNotContain(proxy.Bridge.LogLines, l => l.Contains(released, StringComparison.Ordinal) && l.Contains("released", StringComparison.Ordinal));

        await second.CloseAsync();

        await proxy.Bridge.WaitForLogAsync(
            l => l.Contains(released, StringComparison.Ordinal) && l.Contains("released: its last stream closed", StringComparison.Ordinal),
            "the shared consumer released after the last socket closed");
        Assert.Single(proxy.Bridge.LogLines, l => l.Contains($"Broadcast consumer started for {topic} ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task StartOffsets_DeliversFromThoseOffsets()
    {
        var topic = proxy.CreateTopic(partitions: 2);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 5, partition: 0, prefix: "a");
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 5, partition: 1, prefix: "b");

        await using var socket = await TestSocket.ConnectAsync(
            proxy.SocketUri("/socket/out", $"clientId=late&topic={topic}&mode=broadcast&startOffsets=0:3,1:4"));

        var records = await socket.ReceiveRecordsAsync(3);
        Assert.Equal(["a3", "a4", "b4"], records.Select(r => r.Value).Order());
    }

    [Fact]
    public async Task CommitFrame_OnBroadcastSocket_GetsInvalidCommitErrorFrame_AndSocketStaysOpen()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=c&topic={topic}&mode=broadcast"));

        await socket.SendTextAsync($$"""{"wsProxyMessageId":"{{topic}}-0-0-1"}""");

        var error = await socket.ReceiveJsonAsync();
        Assert.Equal("invalid_commit", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("broadcast", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 1, partition: 0);
        Assert.Equal("v0", Assert.Single(await socket.ReceiveRecordsAsync(1)).Value);
    }

    [Theory]
    [InlineData("&groupId=g", "Request param 'groupId' cannot be used with mode=broadcast")]
    [InlineData("&autoCommit=false", "Request param 'autoCommit' cannot be used with mode=broadcast")]
    [InlineData("&offsetResetStrategy=earliest", "Request param 'offsetResetStrategy' cannot be used with mode=broadcast")]
    [InlineData("&startOffsets=0:x", "'0:x' is not a valid value for 'startOffsets'")]
    [InlineData("&startOffsets=0:1&startTimestamp=5", "Give startOffsets or startTimestamp, not both.")]
    [InlineData("&startOffsets=7:1", "Partition 7 of startOffsets does not exist")]
    [InlineData("&mode=everyone", "'everyone' is not a valid value for 'mode'")]
    public async Task BroadcastQuery_Contradictory_Is400BeforeTheUpgrade(string extra, string message)
    {
        var topic = proxy.CreateTopic(partitions: 1);
        var query = extra.Contains("mode=", StringComparison.Ordinal) ? $"clientId=c&topic={topic}{extra}" : $"clientId=c&topic={topic}&mode=broadcast{extra}";

        var (status, body, _) = await HandshakeProbe.UpgradeAsync(proxy.EdgeHttp, $"/socket/out?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(message, body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartOffsets_WithoutBroadcast_Is400()
    {
        var topic = proxy.CreateTopic(partitions: 1);

        var (status, body, _) = await HandshakeProbe.UpgradeAsync(proxy.EdgeHttp, $"/socket/out?clientId=c&topic={topic}&startOffsets=0:1");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Request param 'startOffsets' cannot be used without mode=broadcast", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
