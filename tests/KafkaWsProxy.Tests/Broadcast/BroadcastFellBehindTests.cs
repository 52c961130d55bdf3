using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Broadcast;

/// <summary>
/// docs/protocol.md §5.1, §6: a broadcast socket that stops reading is closed with 4000 and the
/// offsets to resume from, and never holds back the sockets sharing its consumer; partitions
/// added to the topic are picked up. The test runs its own bridge and edge (small buffers); its
/// sockets share the edge's one bridge stream.
/// </summary>
/// <remarks>
/// Not shown here: a partition added to the topic being picked up. The embedded broker
/// (librdkafka's mock cluster) answers CreatePartitions with "not supported by broker", and
/// offers no other way to grow a topic; docs/operations.md says how to check it on a real cluster.
/// </remarks>
[Collection(ProxyTests.Name)]
public sealed class BroadcastFellBehindTests(ProxyFixture proxy)
{
    // Large records fill the socket's TCP and HTTP/2 buffers after a few megabytes, so the
    // stalled socket overruns its small bridge buffer quickly.
    private static readonly string s_bigValue = new('x', 64 * 1024);

    [Fact]
    public async Task StalledSocket_IsClosedWith4000AndResumeOffsets_OthersKeepReceiving_ResumeLosesNothing()
    {
        await using var instance = await proxy.StartProxyAsync(
            edgeSettings: new Dictionary<string, string?>
            {
                ["Sockets__BroadcastBufferedRecords"] = "20",
                // The stalled client reads again once it was dropped: the edge must wait for it to read the close.
                ["Sockets__CloseTimeout"] = "00:02:00",
            });
        var topic = proxy.CreateTopic(partitions: 2);
        await using var reader = await TestSocket.ConnectAsync(instance.SocketUri("/socket/out", $"clientId=reader&topic={topic}&mode=broadcast"));
        // The stalled socket joins the edge's shared stream after 10 records went through it: its
        // resume offsets are of its own position, not of the stream's.
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic,
            Enumerable.Range(0, 10).Select(i => ((string?)$"k{i}", $"{i}:{s_bigValue}")));
        var readerGot = await reader.ReceiveRecordsAsync(10);
        const int joinedAt = 10;
        await using var stalled = await TestSocket.ConnectAsync(instance.SocketUri("/socket/out", $"clientId=stalled&topic={topic}&mode=broadcast"));
        var bridgeMetrics = await MetricsEndpoints.OfBridgeAsync(instance.Bridge);
        Assert.Equal(1, (await PrometheusScrape.ReadAsync(bridgeMetrics)).Value("kafkawsproxy_bridge_streams_open", ("kind", "broadcast")));

        // Rounds of 10 records, each read by the reading socket before the next is produced,
        // until the stalled socket (which reads nothing) has fallen behind.
        var produced = joinedAt;
        while (true)
        {
            await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic,
                Enumerable.Range(produced, 10).Select(i => ((string?)$"k{i}", $"{i}:{s_bigValue}")));
            produced += 10;
            readerGot.AddRange(await reader.ReceiveRecordsAsync(10));
            if (instance.Edge.LogLines.Any(l => l.Contains("Broadcast socket of client stalled ", StringComparison.Ordinal)))
            {
                break;
            }

            Assert.True(produced < 5_000, "the stalled socket never fell behind");
        }

        // The reading socket is unaffected: it keeps getting every record.
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic,
            Enumerable.Range(produced, 10).Select(i => ((string?)$"k{i}", $"{i}:{s_bigValue}")));
        produced += 10;
        readerGot.AddRange(await reader.ReceiveRecordsAsync(10));
        Assert.Equal(Enumerable.Range(0, produced), readerGot.Select(Index).Order());

        // The stalled client reads again: what was on its way, then the close.
        var frames = await stalled.ReceiveUntilCloseAsync();
        Assert.Equal((WebSocketCloseStatus)4000, stalled.CloseStatus);
        var reason = stalled.CloseDescription!;
        Assert.StartsWith("Fell behind; resume with startOffsets=", reason, StringComparison.Ordinal);
        var resume = reason["Fell behind; resume with startOffsets=".Length..];
        var got = frames.Select(f => new ConsumedFrame(JsonDocument.Parse(f).RootElement.Clone())).ToList();
        foreach (var pair in resume.Split(','))
        {
            var partition = int.Parse(pair.Split(':')[0], CultureInfo.InvariantCulture);
            var offset = long.Parse(pair.Split(':')[1], CultureInfo.InvariantCulture);
            var last = got.Where(r => r.Partition == partition).Select(r => r.Offset).DefaultIfEmpty(-1).Max();
            Assert.Equal(last + 1, offset);
        }

        // Resuming there (through the shared proxy, whose buffer takes the catch-up burst) delivers exactly the records it missed.
        await using var resumed = await TestSocket.ConnectAsync(
            proxy.SocketUri("/socket/out", $"clientId=stalled&topic={topic}&mode=broadcast&startOffsets={resume}"));
        var missed = await resumed.ReceiveRecordsAsync(produced - joinedAt - got.Count);
        Assert.Equal(Enumerable.Range(joinedAt, produced - joinedAt), got.Concat(missed).Select(Index).Order());
    }

    [Fact]
    public async Task EdgeFarBehindTheSharedStream_EndsItItself_SocketsClosed4000WithTheirResumeOffsets()
    {
        // The edge reads the bridge stream at once and holds what its renderer has not taken, up to
        // Sockets:BroadcastBufferedRecords: one burst of 50 records (the bridge sends what one poll
        // returns in one message) is more than 5, so the edge ends the stream before rendering any.
        // The 50 are written as one batch, so no fetch can catch the first ones alone.
        await using var instance = await proxy.StartProxyAsync(
            edgeSettings: new Dictionary<string, string?> { ["Sockets__BroadcastBufferedRecords"] = "5" });
        var topic = proxy.CreateTopic(partitions: 1);
        await using var socket = await TestSocket.ConnectAsync(instance.SocketUri("/socket/out", $"clientId=slow-edge&topic={topic}&mode=broadcast"));

        await KafkaSeed.ProduceOneBatchAsync(proxy.Kafka.BootstrapServers, topic, 50, partition: 0);

        var frames = await socket.ReceiveUntilCloseAsync();
        Assert.Empty(frames);
        Assert.Equal((WebSocketCloseStatus)4000, socket.CloseStatus);
        Assert.Equal("Fell behind; resume with startOffsets=0:0", socket.CloseDescription);
        await instance.Edge.WaitForLogAsync(
            l => l.Contains($"Shared broadcast stream for topic {topic} closed (FellBehind)", StringComparison.Ordinal), "the edge ended the shared stream");
        // The edge decided it, not the bridge, and not the socket's own queue.
        Assert.Equal(0, (await PrometheusScrape.ReadAsync(await MetricsEndpoints.OfBridgeAsync(instance.Bridge))).Value("kafkawsproxy_bridge_broadcast_fell_behind_total"));
        Assert.DoesNotContain(instance.Edge.LogLines, l => l.Contains("Broadcast socket of client slow-edge", StringComparison.Ordinal));
    }

    private static int Index(ConsumedFrame record) =>
        int.Parse(record.Value.AsSpan(0, record.Value.IndexOf(':', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
}
