using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Sessions;

/// <summary>Spec §5 consumer sessions, and limits shared by bridges through the registry topic.</summary>
[Collection(ProxyTests.Name)]
public sealed class ConsumerSessionTests(ProxyFixture proxy)
{
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
    public async Task SameClientIdTwiceInOneGroup_SecondRefusedAsAlreadyRegistered()
    {
        var topic = proxy.CreateTopic(partitions: 4);
        await using var first = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=twin&groupId=g-{topic}&topic={topic}"));

        var (status, body, _) = await HandshakeProbe.UpgradeAsync(proxy.EdgeHttp, $"/socket/out?clientId=twin&groupId=g-{topic}&topic={topic}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("already registered", body.GetProperty("message").GetString(), StringComparison.Ordinal);
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
        await left.Bridge.KillAsync();
        var clock = Stopwatch.StartNew();
        await using var onRight = await Eventually.SucceedsAsync<TestSocket, WebSocketException>(
            () => TestSocket.ConnectAsync(right.SocketUri("/socket/in", $"clientId=solo-{topic}&instanceId=right&topic={topic}")),
            "the right bridge grants the slot", ttl * 3);
        clock.Stop();

        Assert.True(clock.Elapsed <= ttl + TimeSpan.FromSeconds(3), $"slot freed after {clock.Elapsed}");
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
        var clock = Stopwatch.StartNew();
        await using var onRight = await Eventually.SucceedsAsync<TestSocket, WebSocketException>(
            () => TestSocket.ConnectAsync(right.SocketUri("/socket/in", $"clientId=solo-{topic}&instanceId=right&topic={topic}")),
            "the right bridge grants the slot", TimeSpan.FromSeconds(10));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"slot freed after {clock.Elapsed}");
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
    public async Task TwoBridges_ConsumerIdRegisteredOnOne_IsRefusedOnTheOther()
    {
        await using var other = await proxy.StartProxyAsync();
        var topic = proxy.CreateTopic(partitions: 4);
        await using var first = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=twin&groupId=g-{topic}&topic={topic}"));

        var (status, body, _) = await HandshakeProbe.UpgradeAsync(other.Edge.Address, $"/socket/out?clientId=twin&groupId=g-{topic}&topic={topic}");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("already registered", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
