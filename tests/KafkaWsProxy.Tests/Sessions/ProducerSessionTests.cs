using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using Confluent.Kafka;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Sessions;

/// <summary>Spec §4: producer sessions, limits per clientId, rate limits, exactly-once producers.</summary>
[Collection(ProxyTests.Name)]
public sealed class ProducerSessionTests(ProxyFixture proxy)
{
    private static Dictionary<string, string?> SessionsOn(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sessions__ProducerSessionsEnabled"] = "true",
            ["Sessions__ExactlyOnceEnabled"] = "true",
            ["Sessions__ProducerLimit"] = "1",
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task SessionsOff_SameProducerConnectsFourTimes_AllSucceed()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        for (var i = 0; i < 4; i++)
        {
            await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=again&topic={topic}"));
            await socket.SendTextAsync($"{{\"value\":{{\"value\":\"{i}\"}},\"messageId\":\"{i}\"}}");
            Assert.Equal(i, (await socket.ReceiveJsonAsync()).GetProperty("offset").GetInt64());
            await socket.CloseAsync();
        }
    }

    [Fact]
    public async Task SessionsOn_WithoutInstanceId_Is400NamingInstanceId()
    {
        await using var sessions = await proxy.StartProxyAsync(SessionsOn());
        var topic = proxy.CreateTopic(partitions: 1);

        var (status, body, _) = await HandshakeProbe.UpgradeAsync(sessions.Edge.Address, $"/socket/in?clientId=c&topic={topic}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("instanceId", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Limit1_SecondInstanceRefusedWith429NamingTheLimitAndRetryAfter_ConnectsAfterTheFirstCloses()
    {
        await using var sessions = await proxy.StartProxyAsync(SessionsOn());
        var topic = proxy.CreateTopic(partitions: 1);
        var first = await TestSocket.ConnectAsync(sessions.SocketUri("/socket/in", $"clientId=limited-{topic}&instanceId=i1&topic={topic}"));

        var (status, body, retryAfter) = await HandshakeProbe.UpgradeWithRetryAfterAsync(
            sessions.Edge.Address, $"/socket/in?clientId=limited-{topic}&instanceId=i2&topic={topic}");
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Equal("1", retryAfter);
        Assert.Contains("at most 1", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains($"limited-{topic}", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        await first.CloseAsync();
        await first.DisposeAsync();

        // The refused attempt left nothing behind, and the closed one released its slot.
        await using var second = await ConnectEventuallyAsync(sessions.SocketUri("/socket/in", $"clientId=limited-{topic}&instanceId=i2&topic={topic}"));
        await second.SendTextAsync("""{"value":{"value":"ok"},"messageId":"m"}""");
        Assert.Equal("m", (await second.ReceiveJsonAsync()).GetProperty("messageId").GetString());
    }

    [Fact]
    public async Task Limit0_ThreeInstancesAtOnce_AllConnect()
    {
        await using var sessions = await proxy.StartProxyAsync(SessionsOn(("Sessions__ProducerLimit", "0")));
        var topic = proxy.CreateTopic(partitions: 1);

        await using var a = await TestSocket.ConnectAsync(sessions.SocketUri("/socket/in", $"clientId=free&instanceId=a&topic={topic}"));
        await using var b = await TestSocket.ConnectAsync(sessions.SocketUri("/socket/in", $"clientId=free&instanceId=b&topic={topic}"));
        await using var c = await TestSocket.ConnectAsync(sessions.SocketUri("/socket/in", $"clientId=free&instanceId=c&topic={topic}"));

        foreach (var socket in new[] { a, b, c })
        {
            await socket.SendTextAsync("""{"value":{"value":"x"}}""");
            Assert.True((await socket.ReceiveJsonAsync()).TryGetProperty("offset", out _));
        }
    }

    [Fact]
    public async Task RateLimit10PerSecond_FiftyFramesTakeAtLeastFourSecondsAndAllAreAcked()
    {
        await using var rated = await proxy.StartProxyAsync(new Dictionary<string, string?> { ["Produce__MessagesPerSecondPerClient__rated"] = "10" });
        var topic = proxy.CreateTopic(partitions: 1);
        await using var socket = await TestSocket.ConnectAsync(rated.SocketUri("/socket/in", $"clientId=rated&topic={topic}"));

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 50; i++)
        {
            await socket.SendTextAsync($"{{\"value\":{{\"value\":\"{i}\"}},\"messageId\":\"{i}\"}}");
        }

        var acks = new List<string>();
        while (acks.Count < 50)
        {
            var ack = await socket.ReceiveJsonAsync();
            Assert.True(ack.TryGetProperty("offset", out _), ack.ToString());
            acks.Add(ack.GetProperty("messageId").GetString()!);
        }

        clock.Stop();
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(4), $"took {clock.Elapsed}");
        Assert.Equal(Enumerable.Range(0, 50).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), acks);
    }

    [Fact]
    public async Task Transactional_EnabledWithoutInstanceId_Is400()
    {
        await using var sessions = await proxy.StartProxyAsync(SessionsOn());
        var topic = proxy.CreateTopic(partitions: 1);

        var (status, body, _) = await HandshakeProbe.UpgradeAsync(sessions.Edge.Address, $"/socket/in?clientId=tx-{topic}&topic={topic}&transactional=true");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("instanceId", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transactional_SessionsOnButExactlyOnceOff_Is400()
    {
        await using var sessions = await proxy.StartProxyAsync(SessionsOn(("Sessions__ExactlyOnceEnabled", "false")));
        var topic = proxy.CreateTopic(partitions: 1);

        var (status, body, _) = await HandshakeProbe.UpgradeAsync(sessions.Edge.Address, $"/socket/in?clientId=tx-{topic}&instanceId=1&topic={topic}&transactional=true");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not enabled", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transactional_Enabled_AcksRecordsVisibleToReadCommittedConsumer()
    {
        // (Producer limit 1 per clientId, as in every test here: one socket is all this needs.)
        // The embedded broker does not filter aborted records for read_committed
        // readers, so this shows committed records are visible, not that aborted
        // ones are hidden.
        await using var sessions = await proxy.StartProxyAsync(SessionsOn());
        var topic = proxy.CreateTopic(partitions: 1);
        await using var socket = await TestSocket.ConnectAsync(sessions.SocketUri("/socket/in", $"clientId=tx-{topic}&instanceId=one&topic={topic}&transactional=true"));

        for (var i = 0; i < 3; i++)
        {
            await socket.SendTextAsync($"{{\"value\":{{\"value\":\"t{i}\"}},\"messageId\":\"{i}\"}}");
            var ack = await socket.ReceiveJsonAsync();
            Assert.True(ack.TryGetProperty("offset", out _), ack.ToString());
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), ack.GetProperty("messageId").GetString());
        }

        var records = await KafkaDirect.ReadAsync(proxy.Kafka.BootstrapServers, topic, 3, isolation: IsolationLevel.ReadCommitted);
        Assert.Equal(["t0", "t1", "t2"], records.Select(r => System.Text.Encoding.UTF8.GetString(r.Message.Value!)));
    }

    [Fact]
    public async Task Transactional_SecondSocketWithSameIds_FencesTheFirstWith1008()
    {
        await using var sessions = await proxy.StartProxyAsync(SessionsOn());
        var topic = proxy.CreateTopic(partitions: 1);
        var query = $"clientId=tx-{topic}&instanceId=same&topic={topic}&transactional=true";
        await using var first = await TestSocket.ConnectAsync(sessions.SocketUri("/socket/in", query));
        await first.SendTextAsync("""{"value":{"value":"from first"},"messageId":"f"}""");
        Assert.Equal("f", (await first.ReceiveJsonAsync()).GetProperty("messageId").GetString());

        await using var second = await TestSocket.ConnectAsync(sessions.SocketUri("/socket/in", query));
        var frames = await first.ReceiveUntilCloseAsync();

        Assert.Empty(frames);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, first.CloseStatus);
        Assert.Contains("Fenced", first.CloseDescription, StringComparison.Ordinal);
        await second.SendTextAsync("""{"value":{"value":"from second"},"messageId":"s"}""");
        Assert.Equal("s", (await second.ReceiveJsonAsync()).GetProperty("messageId").GetString());
    }

    private static Task<TestSocket> ConnectEventuallyAsync(Uri uri) =>
        Eventually.SucceedsAsync<TestSocket, WebSocketException>(() => TestSocket.ConnectAsync(uri), $"connect to {uri}", TimeSpan.FromSeconds(15));
}
