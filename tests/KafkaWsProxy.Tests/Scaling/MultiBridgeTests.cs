using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using KafkaWsProxy.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KafkaWsProxy.Tests.Scaling;

/// <summary>
/// Two edges in front of two bridges, each edge configured with both (Bridge:Address is a list).
/// Which bridge took a socket is read from the bridges' own logs ("Produce stream opened for
/// client {clientId}"), with a client id unique to each socket.
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class MultiBridgeTests(ProxyFixture proxy, ITestOutputHelper output)
{
    /// <summary>The design target for a dead bridge to stop getting streams; asserted with a generous deadline, logged as measured.</summary>
    private static readonly TimeSpan s_failoverTarget = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_failoverDeadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task TwoEdgesTwoBridges_SocketsOpenedThroughEachEdge_LandOnBothBridges()
    {
        await using var farm = await BridgeFarm.StartAsync(proxy.Kafka.BootstrapServers, bridgeCount: 2, edgeCount: 2);
        var topic = proxy.CreateTopic(partitions: 2);

        for (var edge = 0; edge < 2; edge++)
        {
            var clients = new List<string>();
            for (var i = 0; i < 4; i++)
            {
                var clientId = $"spread-{edge}-{i}-{topic}";
                clients.Add(clientId);
                await using var socket = await TestSocket.ConnectAsync(farm.SocketUri(edge, "/socket/in", $"clientId={clientId}&topic={topic}"));
                await socket.SendTextAsync("""{"value":{"value":"x"},"messageId":"m"}""");
                Assert.True((await socket.ReceiveJsonAsync()).TryGetProperty("offset", out _));
                await socket.CloseAsync();
            }

            var bridges = new List<int>();
            foreach (var clientId in clients)
            {
                bridges.Add(await farm.BridgeOfProducerAsync(clientId));
            }

            Assert.Equal([0, 1], bridges.Distinct().Order());
        }
    }

    [Fact]
    public async Task KillOneBridgeUnderPipelinedProduce_AckedRecordsAreInKafka_ItsSocketsClose1011_NewSocketsSucceedOnTheOther()
    {
        await using var farm = await BridgeFarm.StartAsync(proxy.Kafka.BootstrapServers, bridgeCount: 2, edgeCount: 2);
        var topic = proxy.CreateTopic(partitions: 2);

        // Two sockets per edge: round robin puts one on each bridge.
        var producers = new List<PipelinedProducer>();
        for (var edge = 0; edge < 2; edge++)
        {
            for (var i = 0; i < 2; i++)
            {
                var clientId = $"kill-{edge}-{i}-{topic}";
                producers.Add(await PipelinedProducer.StartAsync(farm.SocketUri(edge, "/socket/in", $"clientId={clientId}&topic={topic}"), clientId));
            }
        }

        var onBridge = new Dictionary<PipelinedProducer, int>();
        foreach (var producer in producers)
        {
            onBridge[producer] = await farm.BridgeOfProducerAsync(producer.ClientId);
        }

        var victim = onBridge[producers[0]];
        var survivor = 1 - victim;
        Assert.Contains(onBridge.Values, b => b == survivor);
        await Eventually.TrueAsync(() => producers.All(p => p.AckCount >= 20), "every socket has acks before the kill");

        await farm.Bridges[victim].KillAsync();
        var clock = Stopwatch.StartNew();

        // New sockets through both edges succeed, on the surviving bridge.
        var reopened = new TimeSpan[2];
        for (var edge = 0; edge < 2; edge++)
        {
            var attempt = 0;
            var current = edge;
            var clientIdOf = (int n) => $"after-kill-{current}-{n}-{topic}";
            await using var fresh = await Eventually.SucceedsAsync<TestSocket, Exception>(
                async () =>
                {
                    var socket = await TestSocket.ConnectAsync(farm.SocketUri(current, "/socket/in", $"clientId={clientIdOf(++attempt)}&topic={topic}"));
                    await socket.SendTextAsync("""{"value":{"value":"after"},"messageId":"after"}""");
                    var ack = await socket.ReceiveJsonAsync();
                    Assert.True(ack.TryGetProperty("offset", out _), ack.ToString());
                    return socket;
                },
                $"a new socket through edge {edge} succeeds", s_failoverDeadline);
            reopened[edge] = clock.Elapsed;
            Assert.Equal(survivor, await farm.BridgeOfProducerAsync(clientIdOf(attempt)));
            await fresh.CloseAsync();
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"after kill -9: new sockets acked through edge 0 after {reopened[0].TotalMilliseconds:F0} ms, edge 1 after {reopened[1].TotalMilliseconds:F0} ms (design target {s_failoverTarget.TotalSeconds} s)"));

        foreach (var producer in producers.Where(p => onBridge[p] == survivor))
        {
            await producer.StopAsync();
        }

        foreach (var producer in producers.Where(p => onBridge[p] == victim))
        {
            await producer.WaitForCloseAsync();
            Assert.Equal(WebSocketCloseStatus.InternalServerError, producer.CloseStatus);
        }

        // Every acked record is in Kafka (records sent but never acked may or may not be).
        var acked = producers.SelectMany(p => p.Acked).ToHashSet();
        var total = (int)await KafkaDirect.CountAsync(proxy.Kafka.BootstrapServers, topic);
        var inKafka = (await KafkaDirect.ReadAsync(proxy.Kafka.BootstrapServers, topic, total))
            .Select(r => Encoding.UTF8.GetString(r.Message.Value!))
            .ToHashSet();
        Assert.Empty(acked.Except(inKafka));
        output.WriteLine($"{acked.Count} records acked before and around the kill; all in Kafka");
        foreach (var producer in producers)
        {
            await producer.DisposeAsync();
        }
    }

    [Fact]
    public async Task SigtermOneBridge_ItsSocketsClose1001_NewSocketsGoToTheOther()
    {
        await using var farm = await BridgeFarm.StartAsync(proxy.Kafka.BootstrapServers, bridgeCount: 2, edgeCount: 1);
        var topic = proxy.CreateTopic(partitions: 2);
        var sockets = new List<(TestSocket Socket, string ClientId)>();
        for (var i = 0; i < 2; i++)
        {
            var clientId = $"term-{i}-{topic}";
            var socket = await TestSocket.ConnectAsync(farm.SocketUri(0, "/socket/in", $"clientId={clientId}&topic={topic}"));
            await socket.SendTextAsync("""{"value":{"value":"before"},"messageId":"b"}""");
            Assert.True((await socket.ReceiveJsonAsync()).TryGetProperty("offset", out _));
            sockets.Add((socket, clientId));
        }

        var stopping = new List<int>();
        foreach (var (_, clientId) in sockets)
        {
            stopping.Add(await farm.BridgeOfProducerAsync(clientId));
        }

        Assert.Equal([0, 1], stopping.Order());
        const int Drained = 0;
        var onDrained = sockets[stopping.IndexOf(Drained)];
        var onOther = sockets[stopping.IndexOf(1)];

        // Sockets are opened while the bridge drains and stops, not only after it is gone:
        // from the moment it logs that it is shutting down.
        var stop = farm.Bridges[Drained].StopAsync(TimeSpan.FromSeconds(20));
        await farm.Bridges[Drained].WaitForLogAsync(l => l.Contains("Application is shutting down", StringComparison.Ordinal), "the bridge starts to shut down");
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 4; i++)
        {
            var clientId = $"during-term-{i}-{topic}";
            await using var fresh = await TestSocket.ConnectAsync(farm.SocketUri(0, "/socket/in", $"clientId={clientId}&topic={topic}"));
            await fresh.SendTextAsync("""{"value":{"value":"during"},"messageId":"d"}""");
            Assert.True((await fresh.ReceiveJsonAsync()).TryGetProperty("offset", out _));
            Assert.Equal(1, await farm.BridgeOfProducerAsync(clientId));
            await fresh.CloseAsync();
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"4 sockets opened on the other bridge within {clock.Elapsed.TotalMilliseconds:F0} ms of SIGTERM"));
        await onDrained.Socket.ReceiveUntilCloseAsync();
        Assert.True(onDrained.Socket.CloseStatus == WebSocketCloseStatus.EndpointUnavailable, $"closed {onDrained.Socket.CloseStatus} {onDrained.Socket.CloseDescription}");
        await stop;

        // The other bridge's socket is untouched.
        await onOther.Socket.SendTextAsync("""{"value":{"value":"still"},"messageId":"s"}""");
        Assert.Equal("s", (await onOther.Socket.ReceiveJsonAsync()).GetProperty("messageId").GetString());
        foreach (var (socket, _) in sockets)
        {
            await socket.DisposeAsync();
        }
    }

    /// <summary>A producer socket that sends records without waiting for acks, and records which were acked.</summary>
    private sealed class PipelinedProducer : IAsyncDisposable
    {
        private readonly TestSocket _socket;
        private readonly ConcurrentQueue<string> _acked = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly SemaphoreSlim _window = new(200);
        private Task _sending = Task.CompletedTask;
        private Task _receiving = Task.CompletedTask;

        private PipelinedProducer(TestSocket socket, string clientId)
        {
            _socket = socket;
            ClientId = clientId;
        }

        public string ClientId { get; }

        public int AckCount => _acked.Count;

        public IEnumerable<string> Acked => _acked;

        public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

        public static async Task<PipelinedProducer> StartAsync(Uri uri, string clientId)
        {
            var producer = new PipelinedProducer(await TestSocket.ConnectAsync(uri), clientId);
            producer._sending = producer.SendAsync();
            producer._receiving = producer.ReceiveAsync();
            return producer;
        }

        private async Task SendAsync()
        {
            for (var i = 0; ; i++)
            {
                var value = $"{ClientId}#{i}";
                try
                {
                    // A bounded window of unacked records, so the socket never exceeds the edge's in-flight limit.
                    await _window.WaitAsync(_stop.Token);
                    await _socket.SendTextAsync($"{{\"value\":{{\"value\":\"{value}\"}},\"messageId\":\"{value}\"}}");
                }
                catch (Exception e) when (e is WebSocketException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
                {
                    return;
                }
            }
        }

        private async Task ReceiveAsync()
        {
            try
            {
                while (true)
                {
                    var (type, text) = await _socket.ReceiveAsync(TimeSpan.FromSeconds(60));
                    if (type == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    using var frame = JsonDocument.Parse(text);
                    if (frame.RootElement.TryGetProperty("offset", out _))
                    {
                        _acked.Enqueue(frame.RootElement.GetProperty("messageId").GetString()!);
                    }

                    _window.Release();
                }
            }
            finally
            {
                await _stop.CancelAsync();
            }
        }

        public Task WaitForCloseAsync() => _receiving;

        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            await _sending;
            // Close output only: the receive loop keeps reading the acks still due, then the edge's close.
            await _socket.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
            await _receiving;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _sending;
            _stop.Dispose();
            _window.Dispose();
            await _socket.DisposeAsync();
        }
    }
}
