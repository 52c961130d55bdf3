using System.Net;
using System.Text.Json;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Observability;

/// <summary>
/// Issue 12: /metrics on the edge and the bridge, scraped over HTTP from the real services.
/// Each test runs its own edge and bridge, so every count is this test's traffic alone.
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class MetricsTests(ProxyFixture proxy)
{
    private const string In = "/socket/in";
    private const string Out = "/socket/out";

    [Fact]
    public async Task Produce_RecordsAndBadFrames_MoveEdgeAndBridgeCountersByExactlyTheTrafficSent()
    {
        const int records = 25;
        const int badFrames = 2;
        await using var instance = await proxy.StartProxyAsync();
        var topic = proxy.CreateTopic(partitions: 2);
        var edgeMetrics = MetricsEndpoints.OfEdge(instance.Edge);
        var bridgeMetrics = await MetricsEndpoints.OfBridgeAsync(instance.Bridge);

        await using (var socket = await TestSocket.ConnectAsync(instance.SocketUri(In, $"clientId=metrics-produce&topic={topic}")))
        {
            for (var i = 0; i < records; i++)
            {
                await socket.SendTextAsync($"{{\"value\":{{\"value\":\"v{i}\"}},\"messageId\":\"{i}\"}}");
                if (i < badFrames)
                {
                    await socket.SendTextAsync("not json");
                }
            }

            for (var i = 0; i < records + badFrames; i++)
            {
                await socket.ReceiveJsonAsync();
            }

            var open = await PrometheusScrape.UntilAsync(edgeMetrics, "the socket counted open", s =>
                s.Value("kafkawsproxy_edge_sockets_open", ("endpoint", In)) == 1);
            Assert.Equal(1, open.Value("kafkawsproxy_edge_sockets_opened_total", ("endpoint", In)));
            await socket.CloseAsync();
        }

        var edge = await PrometheusScrape.UntilAsync(edgeMetrics, "every frame, ack and the close counted", s =>
            s.Value("kafkawsproxy_edge_frames_sent_total", ("endpoint", In)) == records + badFrames
            && s.Value("kafkawsproxy_edge_sockets_closed_total", ("endpoint", In), ("close_code", "1000")) == 1);
        Assert.Equal(records + badFrames, edge.Value("kafkawsproxy_edge_frames_received_total", ("endpoint", In)));
        Assert.Equal(records + badFrames, edge.Value("kafkawsproxy_edge_ack_duration_seconds_count"));
        Assert.Equal(badFrames, edge.Value("kafkawsproxy_edge_error_frames_total", ("endpoint", In), ("code", "invalid_frame")));
        Assert.Equal(badFrames, edge.Value("kafkawsproxy_edge_error_frames_total"));
        Assert.True(edge.Value("kafkawsproxy_edge_received_bytes_total", ("endpoint", In)) > 0);
        Assert.True(edge.Value("kafkawsproxy_edge_sent_bytes_total", ("endpoint", In)) > 0);
        Assert.Equal(1, edge.Value("kafkawsproxy_edge_bridge_stream_opens_total", ("endpoint", In), ("outcome", "opened")));
        Assert.Equal(0, edge.Value("kafkawsproxy_edge_sockets_open", ("endpoint", In)));
        Assert.True(edge.Has("process_cpu_time_seconds_total") || edge.Has("process_cpu_time_seconds"), "process metrics");
        Assert.True(edge.Text.Contains("dotnet_gc_", StringComparison.Ordinal), "runtime metrics");

        var bridge = await PrometheusScrape.UntilAsync(bridgeMetrics, "the produce stream closed", s =>
            s.Value("kafkawsproxy_bridge_streams_open", ("kind", "produce")) == 0
            && s.Value("kafkawsproxy_bridge_records_produced_total") == records);
        Assert.Equal(records, bridge.Value("kafkawsproxy_bridge_produce_duration_seconds_count"));
        Assert.Equal(0, bridge.Value("kafkawsproxy_bridge_produce_errors_total"));
        Assert.True(bridge.Text.Contains("dotnet_gc_", StringComparison.Ordinal), "runtime metrics");
    }

    [Fact]
    public async Task Refusals_AreCountedByHttpStatusAtTheEdge_AndByGrpcStatusAtTheBridge()
    {
        await using var instance = await proxy.StartProxyAsync();
        var edgeMetrics = MetricsEndpoints.OfEdge(instance.Edge);
        var bridgeMetrics = await MetricsEndpoints.OfBridgeAsync(instance.Bridge);

        var (missingTopic, _, _) = await HandshakeProbe.UpgradeAsync(instance.Edge.Address, $"{In}?clientId=refused");
        var (unknownTopic, _, _) = await HandshakeProbe.UpgradeAsync(instance.Edge.Address, $"{Out}?clientId=refused&topic=no-such-topic-{Guid.NewGuid():N}");
        Assert.Equal(HttpStatusCode.BadRequest, missingTopic);
        Assert.Equal(HttpStatusCode.BadRequest, unknownTopic);

        var edge = await PrometheusScrape.UntilAsync(edgeMetrics, "both refusals counted", s =>
            s.Value("kafkawsproxy_edge_sockets_refused_total", ("endpoint", In), ("http_status", "400")) == 1
            && s.Value("kafkawsproxy_edge_sockets_refused_total", ("endpoint", Out), ("http_status", "400")) == 1);
        Assert.Equal(2, edge.Value("kafkawsproxy_edge_sockets_refused_total"));
        Assert.Equal(1, edge.Value("kafkawsproxy_edge_bridge_stream_opens_total", ("endpoint", Out), ("outcome", "NotFound")));
        Assert.Equal(0, edge.Value("kafkawsproxy_edge_sockets_opened_total"));

        var bridge = await PrometheusScrape.ReadAsync(bridgeMetrics);
        Assert.Equal(1, bridge.Value("kafkawsproxy_bridge_streams_refused_total", ("kind", "consume"), ("code", "NotFound")));
        Assert.Equal(0, bridge.Value("kafkawsproxy_bridge_registry_refusals_total"));
    }

    [Fact]
    public async Task Consume_RecordsAndCommits_MoveConsumedUncommittedAndLag()
    {
        const int records = 10;
        const int committed = 4;
        await using var instance = await proxy.StartProxyAsync(new Dictionary<string, string?>
        {
            // Statistics often, so the lag shows within the test's patience.
            ["Consume__StatisticsInterval"] = "00:00:00.200",
        });
        var topic = proxy.CreateTopic(partitions: 1);
        var bridgeMetrics = await MetricsEndpoints.OfBridgeAsync(instance.Bridge);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, records);

        await using var socket = await TestSocket.ConnectAsync(instance.SocketUri(Out,
            $"clientId=metrics-consume&groupId=metrics-consume-group&topic={topic}&autoCommit=false&offsetResetStrategy=earliest"));
        var received = await socket.ReceiveRecordsAsync(records);
        await socket.SendTextAsync(received[committed - 1].CommitFrame);

        var bridge = await PrometheusScrape.UntilAsync(bridgeMetrics, "records consumed, the commit applied, the lag reported", s =>
            s.Value("kafkawsproxy_bridge_records_consumed_total") == records
            && s.Value("kafkawsproxy_bridge_records_uncommitted") == records - committed
            && s.Value("kafkawsproxy_bridge_consumer_lag", ("topic", topic), ("group", "metrics-consume-group")) == records - committed);
        Assert.Equal(1, bridge.Value("kafkawsproxy_bridge_streams_open", ("kind", "consume")));
        Assert.Equal(1, bridge.Value("kafkawsproxy_bridge_registry_sessions", ("kind", "consume")));
        Assert.Equal(0, bridge.Value("kafkawsproxy_bridge_partitions_paused"));

        var edge = await PrometheusScrape.ReadAsync(MetricsEndpoints.OfEdge(instance.Edge));
        Assert.Equal(1, edge.Value("kafkawsproxy_edge_frames_received_total", ("endpoint", Out)));
        Assert.Equal(1, edge.Value("kafkawsproxy_edge_sockets_open", ("endpoint", Out)));
    }

    [Fact]
    public async Task Consume_ClientThatStopsCommitting_ItsPartitionIsCountedPausedUntilItCommits()
    {
        await using var instance = await proxy.StartProxyAsync(new Dictionary<string, string?>
        {
            ["Consume__MaxUncommittedPerStream"] = "2",
            ["Consume__PauseAfterStall"] = "00:00:00.100",
        });
        var topic = proxy.CreateTopic(partitions: 1);
        var bridgeMetrics = await MetricsEndpoints.OfBridgeAsync(instance.Bridge);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 3);

        await using var socket = await TestSocket.ConnectAsync(instance.SocketUri(Out,
            $"clientId=metrics-pause&topic={topic}&autoCommit=false"));
        var first = await socket.ReceiveRecordsAsync(2);

        await PrometheusScrape.UntilAsync(bridgeMetrics, "the stalled stream's partition paused", s =>
            s.Value("kafkawsproxy_bridge_partitions_paused") == 1 && s.Value("kafkawsproxy_bridge_records_uncommitted") == 2);

        await socket.SendTextAsync(first[1].CommitFrame);
        await socket.ReceiveRecordsAsync(1);
        // The last record leaves one uncommitted, under the cap: the stream has room and stays resumed.
        await PrometheusScrape.UntilAsync(bridgeMetrics, "the partition resumed after the commit", s =>
            s.Value("kafkawsproxy_bridge_records_consumed_total") == 3 && s.Value("kafkawsproxy_bridge_partitions_paused") == 0
            && s.Value("kafkawsproxy_bridge_records_uncommitted") == 1);
    }

    [Fact]
    public async Task MetricsEndpoint_WithAuthOn_NeedsCredentials_LikeTheHealthEndpoints()
    {
        const string password = "metrics-secret-pw";
        await using var instance = await proxy.StartProxyAsync(edgeSettings: new Dictionary<string, string?>
        {
            ["Auth__Basic__Enabled"] = "true",
            ["Auth__Basic__Users__scraper"] = password,
        });
        var metrics = MetricsEndpoints.OfEdge(instance.Edge);

        var (status, body, _) = await HandshakeProbe.GetAsync(instance.Edge.Address, "/metrics");
        var (health, _, _) = await HandshakeProbe.GetAsync(instance.Edge.Address, "/healthcheck");
        Assert.Equal(HttpStatusCode.Unauthorized, health);
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(JsonValueKind.Object, body.ValueKind);

        var scrape = await PrometheusScrape.ReadAsync(metrics, $"scraper:{password}");
        Assert.Contains("# TYPE process_", scrape.Text, StringComparison.Ordinal);
    }
}
