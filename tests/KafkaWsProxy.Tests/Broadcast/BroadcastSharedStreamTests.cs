using System.Net.WebSockets;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Broadcast;

/// <summary>
/// docs/protocol.md §5.1: the broadcast sockets of one edge that start at the live end share one
/// bridge stream; each frame is rendered once and sent to every socket. Seen from outside: the
/// bridge's open broadcast streams (kafkawsproxy.bridge.streams.open, kind=broadcast).
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class BroadcastSharedStreamTests(ProxyFixture proxy)
{
    private const string BroadcastStreams = "kafkawsproxy_bridge_streams_open";
    private const string BroadcastConsumers = "kafkawsproxy_bridge_broadcast_consumers";

    [Fact]
    public async Task ManySocketsOnOneEdge_ShareOneBridgeStream_LastToLeaveClosesItAndReleasesTheConsumer()
    {
        const int sockets = 40;
        const int perPartition = 10;
        // Its own bridge: the count of broadcast streams is this test's alone.
        await using var instance = await proxy.StartProxyAsync();
        var bridgeMetrics = await MetricsEndpoints.OfBridgeAsync(instance.Bridge);
        var edgeMetrics = MetricsEndpoints.OfEdge(instance.Edge);
        var topic = proxy.CreateTopic(partitions: 2);
        var opened = new List<TestSocket>();
        try
        {
            foreach (var chunk in Enumerable.Range(0, sockets).Chunk(20))
            {
                opened.AddRange(await Task.WhenAll(chunk.Select(i =>
                    TestSocket.ConnectAsync(instance.SocketUri("/socket/out", $"clientId=dash-{i}&topic={topic}&mode=broadcast")))));
            }

            var shared = await PrometheusScrape.ReadAsync(bridgeMetrics);
            Assert.Equal(1, shared.Value(BroadcastStreams, ("kind", "broadcast")));
            Assert.Equal(1, shared.Value(BroadcastConsumers));

            foreach (var partition in new[] { 0, 1 })
            {
                await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, perPartition, partition, prefix: $"p{partition}-");
            }

            foreach (var records in await Task.WhenAll(opened.Select(s => s.ReceiveRecordsAsync(2 * perPartition))))
            {
                foreach (var partition in new[] { 0, 1 })
                {
                    Assert.Equal(Enumerable.Range(0, perPartition).Select(i => $"p{partition}-{i}"),
                        records.Where(r => r.Partition == partition).Select(r => r.Value));
                }
            }

            // Frames written whole to each connection are counted like any other (one record per frame here).
            await PrometheusScrape.UntilAsync(edgeMetrics, "every record frame counted as sent", s =>
                s.Value("kafkawsproxy_edge_frames_sent_total", ("endpoint", "/socket/out")) == sockets * 2 * perPartition);

            // All but one leave: the stream stays for the last one, which still gets every record.
            var last = opened[^1];
            await Task.WhenAll(opened.SkipLast(1).Select(s => s.CloseAsync()));
            Assert.All(opened.SkipLast(1), s => Assert.Equal(WebSocketCloseStatus.NormalClosure, s.CloseStatus));
            await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 1, partition: 1, prefix: "still");
            Assert.Equal("still0", Assert.Single(await last.ReceiveRecordsAsync(1)).Value);
            Assert.Equal(1, (await PrometheusScrape.ReadAsync(bridgeMetrics)).Value(BroadcastStreams, ("kind", "broadcast")));

            await last.CloseAsync();
            await PrometheusScrape.UntilAsync(bridgeMetrics, "the shared stream closed and the consumer released", s =>
                s.Value(BroadcastStreams, ("kind", "broadcast")) == 0 && s.Value(BroadcastConsumers) == 0);
            await instance.Edge.WaitForLogAsync(
                l => l.Contains($"Shared broadcast stream for topic {topic} closed", StringComparison.Ordinal), "the edge closed its shared stream");
        }
        finally
        {
            await Task.WhenAll(opened.Select(s => s.DisposeAsync().AsTask()));
        }
    }

    [Fact]
    public async Task SocketJoiningARunningSharedStream_GetsEveryRecordAfterItsAccept_AndNoneBefore()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        var query = $"topic={topic}&mode=broadcast";
        await using var first = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=first&{query}"));
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 3, partition: 0, prefix: "early");
        Assert.Equal(["early0", "early1", "early2"], (await first.ReceiveRecordsAsync(3)).Select(r => r.Value));

        await using var late = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=late&{query}"));
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 3, partition: 0, prefix: "late");

        Assert.Equal(["late0", "late1", "late2"], (await late.ReceiveRecordsAsync(3)).Select(r => r.Value));
        Assert.Equal(["late0", "late1", "late2"], (await first.ReceiveRecordsAsync(3)).Select(r => r.Value));
    }

    [Fact]
    public async Task BatchedSockets_GetTheSameBatchFrames_WithEveryRecordInOrder()
    {
        const int records = 25;
        var topic = proxy.CreateTopic(partitions: 1);
        var query = $"topic={topic}&mode=broadcast&batchSize=10";
        await using var a = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=a&{query}"));
        await using var b = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=b&{query}"));

        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, records, partition: 0);

        var expected = Enumerable.Range(0, records).Select(i => $"v{i}");
        Assert.Equal(expected, (await a.ReceiveRecordsAsync(records)).Select(r => r.Value));
        Assert.Equal(expected, (await b.ReceiveRecordsAsync(records)).Select(r => r.Value));
    }

    [Fact]
    public async Task ClientPingingWhileSharedFramesStream_GetsEveryPongAndEveryRecordIntact()
    {
        // The edge writes shared frames to the connection itself, while the socket's WebSocket answers
        // pings on the same connection: each frame must go out whole, never inside another.
        const int records = 600;
        var topic = proxy.CreateTopic(partitions: 2);
        var query = $"topic={topic}&mode=broadcast&batchSize=7";
        await using var pinging = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=pinging&{query}"), options =>
        {
            options.KeepAliveInterval = TimeSpan.FromMilliseconds(1);
            // Pings that must be answered: a pong lost or torn fails the client's socket.
            options.KeepAliveTimeout = TimeSpan.FromSeconds(30);
        });
        await using var quiet = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=quiet&{query}"));

        foreach (var partition in new[] { 0, 1 })
        {
            await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, records / 2, partition, prefix: $"p{partition}-");
        }

        foreach (var socket in new[] { pinging, quiet })
        {
            var got = await socket.ReceiveRecordsAsync(records);
            foreach (var partition in new[] { 0, 1 })
            {
                Assert.Equal(Enumerable.Range(0, records / 2).Select(i => $"p{partition}-{i}"),
                    got.Where(r => r.Partition == partition).Select(r => r.Value));
            }
        }

        Assert.Equal(WebSocketState.Open, pinging.Socket.State);
    }
}
