using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Sessions;

/// <summary>Spec §5 consumer sessions, and limits shared by bridges through the registry topic.</summary>
[Collection(ProxyTests.Name)]
public sealed class ConsumerSessionTests(ProxyFixture proxy)
{
    private const string SupersededReason = "Superseded by a newer connection of clientId";

    /// <summary>Generous, and far below the registry TTL the crash tests set.</summary>
    private static readonly TimeSpan s_reconnectDeadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task GroupOnOnePartitionTopic_SecondSocketRefusedNamingTheLimit()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await using var first = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=a&groupId=g-{topic}&topic={topic}"));

        var (status, body, _) = await HandshakeProbe.UpgradeAsync(proxy.EdgeHttp, $"/socket/out?clientId=b&groupId=g-{topic}&topic={topic}");

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Contains("at most 1", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameClientIdTwiceInOneGroup_OlderClosed1008AsSuperseded_NewerReceivesTheRecords()
    {
        // Was: the second socket refused as "already registered" until the first closed
        // (or, after a crash, until the registry's TTL). Now the newer socket wins.
        var topic = proxy.CreateTopic(partitions: 4);
        var query = $"clientId=twin&groupId=g-{topic}&topic={topic}";
        await using var older = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", query));

        await using var newer = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", query));
        await older.ReceiveUntilCloseAsync();

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, older.CloseStatus);
        Assert.StartsWith(SupersededReason, older.CloseDescription, StringComparison.Ordinal);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 4);
        Assert.Equal(["v0", "v1", "v2", "v3"], (await newer.ReceiveRecordsAsync(4)).Select(r => r.Value).Order());
    }

    [Fact]
    public async Task GroupAtItsLimit_SameClientIdSupersedesItsOwnSlot_ADifferentClientIdIsStillRefused()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        var group = $"g-{topic}";
        await using var older = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=a&groupId={group}&topic={topic}"));

        // The group limit (1: the topic's partitions) does not refuse the slot's own member.
        await using var newer = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=a&groupId={group}&topic={topic}"));
        await older.ReceiveUntilCloseAsync();
        var (status, body, _) = await HandshakeProbe.UpgradeAsync(proxy.EdgeHttp, $"/socket/out?clientId=b&groupId={group}&topic={topic}");

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, older.CloseStatus);
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Contains("at most 1", body.GetProperty("message").GetString(), StringComparison.Ordinal);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 1);
        Assert.Equal("v0", Assert.Single(await newer.ReceiveRecordsAsync(1)).Value);
    }

    [Fact]
    public async Task ConfiguredGroupLimit_AppliesBelowThePartitionCount()
    {
        await using var limited = await proxy.StartProxyAsync(new Dictionary<string, string?> { ["Sessions__ConsumerLimit"] = "2" });
        var topic = proxy.CreateTopic(partitions: 4);
        var group = $"g-{topic}";
        await using var a = await TestSocket.ConnectAsync(limited.SocketUri("/socket/out", $"clientId=a&groupId={group}&topic={topic}"));
        await using var b = await TestSocket.ConnectAsync(limited.SocketUri("/socket/out", $"clientId=b&groupId={group}&topic={topic}"));

        var (status, body, _) = await HandshakeProbe.UpgradeAsync(limited.Edge.Address, $"/socket/out?clientId=c&groupId={group}&topic={topic}");

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Contains("at most 2", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoBridges_LimitOfOneHoldsAcrossThem_AndAKilledBridgeFreesItsSlotWithinTheTtl()
    {
        var ttl = TimeSpan.FromSeconds(4);
        var settings = new Dictionary<string, string?>
        {
            ["Sessions__ProducerSessionsEnabled"] = "true",
            ["Sessions__ProducerLimit"] = "1",
            ["Sessions__Ttl"] = ttl.ToString(),
            ["Sessions__HeartbeatInterval"] = "00:00:01",
        };
        await using var left = await proxy.StartProxyAsync(settings);
        await using var right = await proxy.StartProxyAsync(settings);
        var topic = proxy.CreateTopic(partitions: 1);
        var onLeft = await TestSocket.ConnectAsync(left.SocketUri("/socket/in", $"clientId=solo-{topic}&instanceId=left&topic={topic}"));

        var (status, body, _) = await HandshakeProbe.UpgradeAsync(right.Edge.Address, $"/socket/in?clientId=solo-{topic}&instanceId=right&topic={topic}");
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Contains("at most 1", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        // A crash: no clean stop, so the left bridge's entry is never removed; it expires.
        // Within three TTLs, far below the default TTL of 30 s that a lost setting would fall back to.
        await left.Bridge.KillAsync();
        await using var onRight = await Eventually.SucceedsAsync<TestSocket, WebSocketException>(
            () => TestSocket.ConnectAsync(right.SocketUri("/socket/in", $"clientId=solo-{topic}&instanceId=right&topic={topic}")),
            "the right bridge grants the slot", ttl * 3);

        await onRight.SendTextAsync("""{"value":{"value":"v"},"messageId":"r"}""");
        Assert.Equal("r", (await onRight.ReceiveJsonAsync()).GetProperty("messageId").GetString());
        await onLeft.DisposeAsync();
    }

    [Fact]
    public async Task TwoBridges_ACleanlyStoppedBridgeFreesItsSlotsAtOnce()
    {
        // The default TTL is 30 s: only the clean stop's removal can free the slot this fast.
        var settings = new Dictionary<string, string?>
        {
            ["Sessions__ProducerSessionsEnabled"] = "true",
            ["Sessions__ProducerLimit"] = "1",
        };
        await using var left = await proxy.StartProxyAsync(settings);
        await using var right = await proxy.StartProxyAsync(settings);
        var topic = proxy.CreateTopic(partitions: 1);
        await using var onLeft = await TestSocket.ConnectAsync(left.SocketUri("/socket/in", $"clientId=solo-{topic}&instanceId=left&topic={topic}"));

        await left.Bridge.StopAsync(TimeSpan.FromSeconds(20));
        await using var onRight = await Eventually.SucceedsAsync<TestSocket, WebSocketException>(
            () => TestSocket.ConnectAsync(right.SocketUri("/socket/in", $"clientId=solo-{topic}&instanceId=right&topic={topic}")),
            "the right bridge grants the slot", TimeSpan.FromSeconds(10));

        // The socket on the stopped bridge was told to reconnect (docs/protocol.md §6: 1001).
        await onLeft.ReceiveUntilCloseAsync();
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, onLeft.CloseStatus);
        Assert.Contains("reconnect", onLeft.CloseDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoBridges_GroupLimitHoldsAcrossThem_SecondConsumerOnTheOtherIsRefused()
    {
        await using var left = await proxy.StartProxyAsync(new Dictionary<string, string?> { ["Sessions__ConsumerLimit"] = "1" });
        await using var right = await proxy.StartProxyAsync(new Dictionary<string, string?> { ["Sessions__ConsumerLimit"] = "1" });
        var topic = proxy.CreateTopic(partitions: 4);
        var group = $"g-{topic}";
        await using var onLeft = await TestSocket.ConnectAsync(left.SocketUri("/socket/out", $"clientId=a&groupId={group}&topic={topic}"));

        var (status, body, _) = await HandshakeProbe.UpgradeAsync(right.Edge.Address, $"/socket/out?clientId=b&groupId={group}&topic={topic}");

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Contains("at most 1", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoBridges_SameClientIdOnTheOther_SupersedesTheSocketOnTheFirst()
    {
        // Was: refused on the other bridge as "already registered".
        await using var other = await proxy.StartProxyAsync();
        var topic = proxy.CreateTopic(partitions: 4);
        var query = $"clientId=twin&groupId=g-{topic}&topic={topic}";
        await using var first = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", query));

        await using var second = await TestSocket.ConnectAsync(other.SocketUri("/socket/out", query));
        await first.ReceiveUntilCloseAsync();

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, first.CloseStatus);
        Assert.StartsWith(SupersededReason, first.CloseDescription, StringComparison.Ordinal);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 4);
        Assert.Equal(["v0", "v1", "v2", "v3"], (await second.ReceiveRecordsAsync(4)).Select(r => r.Value).Order());
    }

    [Fact]
    public async Task KilledBridge_SameClientIdComesBackThroughAnotherBridgeBeforeTheTtl_AndReceivesRecords()
    {
        // A TTL far longer than the deadline below: a reconnect that waited for the
        // crashed bridge's entry to expire (the old rule) cannot pass.
        var settings = LongRegistryTtl();
        await using var crashing = await proxy.StartProxyAsync(settings);
        await using var surviving = await proxy.StartProxyAsync(settings);
        var topic = proxy.CreateTopic(partitions: 2);
        var clientId = $"back-{topic}";
        var query = $"clientId={clientId}&groupId=g-{topic}&topic={topic}";
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 2, prefix: "before");
        await using var lost = await TestSocket.ConnectAsync(crashing.SocketUri("/socket/out", query));
        await lost.ReceiveRecordsAsync(2);

        await crashing.Bridge.KillAsync();
        await using var back = await Eventually.SucceedsAsync<TestSocket, WebSocketException>(
            () => TestSocket.ConnectAsync(surviving.SocketUri("/socket/out", query)), "the same clientId is let back in", s_reconnectDeadline);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 2, prefix: "after");

        // What the embedded broker cannot show: it drops a member's partitions as soon
        // as that member's connection closes, so here the crashed bridge's partitions
        // move at once. A real broker keeps them with the dead member until its group
        // session timeout (group.consumer.session.timeout.ms, 45 s by default) and only
        // then hands them to the new socket; the socket itself is let in at once either way.
        // Records the crashed socket had not committed come again (at least once).
        var values = new List<string>();
        while (!(values.Contains("after0") && values.Contains("after1")))
        {
            values.AddRange((await back.ReceiveRecordsAsync(1)).Select(r => r.Value));
        }

        Assert.All(values, v => Assert.True(v.StartsWith("before", StringComparison.Ordinal) || v.StartsWith("after", StringComparison.Ordinal), v));
    }

    [Fact]
    public async Task KilledEdge_SameClientIdComesBackThroughAnotherEdgeAtOnce_AndTheOldStreamIsEnded()
    {
        await using var instance = await proxy.StartProxyAsync(LongRegistryTtl());
        await using var otherEdge = await ServiceProcess.StartEdgeAsync(instance.Bridge.Address);
        var topic = proxy.CreateTopic(partitions: 2);
        var clientId = $"edge-{topic}";
        var query = $"clientId={clientId}&groupId=g-{topic}&topic={topic}";
        await using var lost = await TestSocket.ConnectAsync(instance.SocketUri("/socket/out", query));
        await instance.Bridge.WaitForLogAsync(l => l.Contains($"Consume stream opened for client {clientId}", StringComparison.Ordinal), "the first stream opened");

        await instance.Edge.KillAsync();
        await using var back = await Eventually.SucceedsAsync<TestSocket, WebSocketException>(
            () => TestSocket.ConnectAsync(new Uri($"ws://{otherEdge.Address.Authority}/socket/out?{query}")), "the same clientId is let back in", s_reconnectDeadline);

        // Ended by the lost connection or by the newer session, whichever the bridge saw first.
        await instance.Bridge.WaitForLogAsync(l => l.Contains($"Consume stream closed for client {clientId}", StringComparison.Ordinal), "the old stream ended");
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 2);
        Assert.Equal(["v0", "v1"], (await back.ReceiveRecordsAsync(2)).Select(r => r.Value).Order());
    }

    [Fact]
    public async Task FrozenEdge_SameClientIdThroughAnotherEdge_SupersedesTheStreamTheBridgeStillHolds()
    {
        // A frozen edge keeps its connection to the bridge open, as a host that vanished
        // without closing its connections would: only the newer session can end the old stream.
        await using var instance = await proxy.StartProxyAsync(LongRegistryTtl());
        await using var otherEdge = await ServiceProcess.StartEdgeAsync(instance.Bridge.Address);
        var topic = proxy.CreateTopic(partitions: 2);
        var clientId = $"frozen-{topic}";
        var query = $"clientId={clientId}&groupId=g-{topic}&topic={topic}";
        await using var stuck = await TestSocket.ConnectAsync(instance.SocketUri("/socket/out", query));
        await instance.Bridge.WaitForLogAsync(l => l.Contains($"Consume stream opened for client {clientId}", StringComparison.Ordinal), "the first stream opened");

        await instance.Edge.FreezeAsync();
        await using var back = await Eventually.SucceedsAsync<TestSocket, WebSocketException>(
            () => TestSocket.ConnectAsync(new Uri($"ws://{otherEdge.Address.Authority}/socket/out?{query}")), "the same clientId is let back in", s_reconnectDeadline);

        await instance.Bridge.WaitForLogAsync(l => l.Contains("superseded", StringComparison.Ordinal) && l.Contains(clientId, StringComparison.Ordinal), "the old session superseded");
        await instance.Bridge.WaitForLogAsync(l => l.Contains($"Consume stream closed for client {clientId}", StringComparison.Ordinal), "the old stream ended");
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 2);
        Assert.Equal(["v0", "v1"], (await back.ReceiveRecordsAsync(2)).Select(r => r.Value).Order());
    }

    private static Dictionary<string, string?> LongRegistryTtl() => new()
    {
        ["Sessions__Ttl"] = "00:01:00",
        ["Sessions__HeartbeatInterval"] = "00:00:05",
    };
}
