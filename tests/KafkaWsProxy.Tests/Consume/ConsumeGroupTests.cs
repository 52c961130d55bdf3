using System.Diagnostics;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Consume;

/// <summary>Spec §5: groups, offset reset, rebalances, prompt group leave, isolation level.</summary>
[Collection(ProxyTests.Name)]
public sealed class ConsumeGroupTests(ProxyFixture proxy)
{
    [Fact]
    public async Task OffsetResetLatest_OnlyRecordsProducedAfterConnectArrive()
    {
        var topic = proxy.CreateTopic(partitions: 2);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 5, prefix: "old");
        var clientId = $"latest-{topic}";
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId={clientId}&topic={topic}&offsetResetStrategy=latest"));
        await AssignmentLog.WaitForAsync(proxy.Bridge, clientId, topic, 2);

        // "Latest" is resolved after the assignment: probe each partition until a
        // probe comes back, so the records below are surely produced after it.
        var received = new List<ConsumedFrame>();
        foreach (var partition in new[] { 0, 1 })
        {
            var probe = 0;
            while (!received.Any(r => r.Partition == partition))
            {
                await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, [(null, $"probe{partition}-{probe++}")], partition);
                try
                {
                    received.AddRange(await socket.ReceiveRecordsAsync(1, TimeSpan.FromMilliseconds(500)));
                }
                catch (TimeoutException)
                {
                    Assert.True(probe < 60, "the consumer never received a probe");
                }
            }
        }

        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 3, prefix: "new");
        while (received.Count(r => r.Value.StartsWith("new", StringComparison.Ordinal)) < 3)
        {
            received.AddRange(await socket.ReceiveRecordsAsync(1));
        }

        Assert.DoesNotContain(received, r => r.Value.StartsWith("old", StringComparison.Ordinal));
        Assert.Equal(["new0", "new1", "new2"], received.Select(r => r.Value).Where(v => v.StartsWith("new", StringComparison.Ordinal)).Order());
    }

    [Fact]
    public async Task OffsetResetNone_WithoutCommittedOffset_Is400WithClearMessage()
    {
        var topic = proxy.CreateTopic(partitions: 2);

        var (status, body, _) = await HandshakeProbe.UpgradeAsync(proxy.EdgeHttp, $"/socket/out?clientId=c&topic={topic}&offsetResetStrategy=none");

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, status);
        Assert.Contains("no committed offset", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OffsetResetNone_WithCommittedOffsets_ResumesFromThem()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 4);
        var query = $"clientId=c-{topic}&topic={topic}";
        await using (var first = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", query)))
        {
            await first.ReceiveRecordsAsync(4);
            await first.CloseAsync();
        }

        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 1, prefix: "after");
        await using var second = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", query + "&offsetResetStrategy=none"));

        Assert.Equal("after0", Assert.Single(await second.ReceiveRecordsAsync(1)).Value);
    }

    [Fact]
    public async Task TwoSocketsInOneGroup_DisjointPartitionsUnionIsEverythingNoDuplicates()
    {
        var topic = proxy.CreateTopic(partitions: 4);
        var group = $"g-{topic}";
        await using var a = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=a-{topic}&groupId={group}&topic={topic}"));
        await AssignmentLog.WaitForAsync(proxy.Bridge, $"a-{topic}", topic, 4);
        await using var b = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=b-{topic}&groupId={group}&topic={topic}"));
        var ownedByB = await AssignmentLog.WaitForAsync(proxy.Bridge, $"b-{topic}", topic, 2);
        var ownedByA = await AssignmentLog.WaitForAsync(proxy.Bridge, $"a-{topic}", topic, 2);

        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 200);
        var fromA = new List<ConsumedFrame>();
        var fromB = new List<ConsumedFrame>();
        var readA = Task.Run(async () => { while (true) { fromA.AddRange(await a.ReceiveRecordsAsync(1)); } });
        var readB = Task.Run(async () => { while (true) { fromB.AddRange(await b.ReceiveRecordsAsync(1)); } });
        await Eventually.TrueAsync(() => fromA.Count + fromB.Count >= 200, "200 records across both sockets");
        Assert.True(await b.IsQuietForAsync(TimeSpan.FromMilliseconds(500)) || fromA.Count + fromB.Count == 200);

        Assert.Empty(ownedByA.Intersect(ownedByB));
        Assert.All(fromA, r => Assert.Contains(r.Partition, ownedByA));
        Assert.All(fromB, r => Assert.Contains(r.Partition, ownedByB));
        var all = fromA.Concat(fromB).Select(r => r.Value).ToList();
        Assert.Equal(200, all.Count);
        Assert.Equal(200, all.Distinct().Count());
    }

    [Fact]
    public async Task Rebalance_CommitForRevokedPartition_GetsErrorFrame()
    {
        var topic = proxy.CreateTopic(partitions: 2);
        var group = $"g-{topic}";
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 20);
        await using var a = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=a-{topic}&groupId={group}&topic={topic}&autoCommit=false"));
        var delivered = await a.ReceiveRecordsAsync(20);

        await using var b = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=b-{topic}&groupId={group}&topic={topic}&autoCommit=false"));
        var ownedByB = await AssignmentLog.WaitForAsync(proxy.Bridge, $"b-{topic}", topic, 1);
        await AssignmentLog.WaitForAsync(proxy.Bridge, $"a-{topic}", topic, 1);
        var revoked = delivered.First(r => ownedByB.Contains(r.Partition));
        await a.SendTextAsync(revoked.CommitFrame);
        var error = await a.ReceiveJsonAsync();

        Assert.Equal("commit_failed", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("not assigned", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        // The uncommitted records of the revoked partition go to its new owner.
        var toB = await b.ReceiveRecordsAsync(delivered.Count(r => r.Partition == revoked.Partition));
        Assert.All(toB, r => Assert.Equal(revoked.Partition, r.Partition));
    }

    [Fact]
    public async Task Reconnect_SameClientIdAfterClose_IsAcceptedAtOnceAndGetsUncommittedAgain()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 3);
        var query = $"clientId=c-{topic}&topic={topic}&autoCommit=false";
        await using (var first = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", query)))
        {
            await first.ReceiveRecordsAsync(3);
            await first.CloseAsync();
        }

        // Not refused as a second member of the client, and not kept waiting for the first one's
        // session timeout (45 s, longer than the receive deadline): the first left the group on close.
        await using var second = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", query));
        var again = await second.ReceiveRecordsAsync(3);

        Assert.Equal(["v0", "v1", "v2"], again.Select(r => r.Value));
    }

    [Fact]
    public async Task IsolationLevel_ReadCommitted_IsAcceptedAndConsumes()
    {
        // The embedded broker does not filter aborted transactional records, so
        // only the wiring can be shown here: the bridge maps read_committed to the
        // consumer's isolation.level (see KafkaClientConfigFactoryTests), and the
        // socket consumes committed (non-transactional) records normally.
        var topic = proxy.CreateTopic(partitions: 1);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 2);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=c-{topic}&topic={topic}&isolationLevel=read_committed"));

        Assert.Equal(["v0", "v1"], (await socket.ReceiveRecordsAsync(2)).Select(r => r.Value));
    }
}
