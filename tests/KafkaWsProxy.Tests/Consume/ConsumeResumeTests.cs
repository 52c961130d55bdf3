using System.Net;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Consume;

/// <summary>
/// docs/protocol.md §5.2: a socket with resumeWindowMs whose connection drops and comes back
/// within the window keeps its partitions; the rest of its group sees no rebalance.
/// </summary>
/// <remarks>
/// The fixture's bridge uses KIP-848's consumer protocol (the embedded broker's classic
/// protocol cannot add a member to a stable group), where the window is the broker's
/// group.consumer.session.timeout.ms, not the socket's: resumeWindowMs then only turns static
/// membership on. The classic protocol's per-socket session.timeout.ms is not shown here.
/// </remarks>
[Collection(ProxyTests.Name)]
public sealed class ConsumeResumeTests(ProxyFixture proxy)
{
    [Fact]
    public async Task DroppedSocket_ReconnectsWithinWindow_KeepsItsPartitions_OtherMemberSeesNoRevocation_NothingAfterCommitLost()
    {
        var topic = proxy.CreateTopic(partitions: 4);
        var group = $"resume-{topic}";
        var query = $"topic={topic}&groupId={group}&autoCommit=false&resumeWindowMs=30000";
        var a = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=a-{topic}&{query}"));
        await using var b = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=b-{topic}&{query}"));
        var ownedByA = await AssignmentLog.WaitForAsync(proxy.Bridge, $"a-{topic}", topic, 2);
        var ownedByB = await AssignmentLog.WaitForAsync(proxy.Bridge, $"b-{topic}", topic, 2);

        // Four records on each of a's partitions; it commits the first two of each.
        foreach (var partition in ownedByA)
        {
            await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 4, partition, prefix: $"p{partition}-");
        }

        var delivered = await a.ReceiveRecordsAsync(4 * ownedByA.Count);
        var committed = delivered.Where(r => r.Offset == 1).ToList();
        foreach (var record in committed)
        {
            await a.SendTextAsync(record.CommitFrame);
        }

        // Commits are applied in order: the refusal of a repeated one proves the others were.
        await a.SendTextAsync(committed[0].CommitFrame);
        Assert.Equal("commit_failed", (await a.ReceiveJsonAsync()).GetProperty("error").GetProperty("code").GetString());

        // The group may have moved a partition between the two while they joined; from here on nothing may move.
        var revokedFromBBefore = AssignmentLog.RevocationCount(proxy.Bridge, $"b-{topic}", topic);

        // The connection drops (no close handshake); the bridge closes the stream's consumer.
        a.Socket.Abort();
        await a.DisposeAsync();
        await proxy.Bridge.WaitForLogAsync(
            l => l.Contains($"Consume stream closed for client a-{topic} ", StringComparison.Ordinal), "a's stream closed");

        await using var returning = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=a-{topic}&{query}"));
        var resumed = await returning.ReceiveRecordsAsync(2 * ownedByA.Count);

        // The bridge's log is read through a pipe: its assignment line may come after the records.
        Assert.Equal(ownedByA, await AssignmentLog.WaitForAsync(proxy.Bridge, $"a-{topic}", topic, ownedByA.Count));
        Assert.Equal(ownedByB, AssignmentLog.Current(proxy.Bridge, $"b-{topic}", topic));
        Assert.True(revokedFromBBefore == AssignmentLog.RevocationCount(proxy.Bridge, $"b-{topic}", topic),
            $"The other member lost partitions after the drop ({revokedFromBBefore} revocations before it):{Environment.NewLine}" +
            string.Join(Environment.NewLine, proxy.Bridge.LogLines.Where(l => l.Contains(topic, StringComparison.Ordinal) && l.Contains("partitions", StringComparison.Ordinal))));
        Assert.Equal(
            ownedByA.SelectMany(p => new[] { $"p{p}-2", $"p{p}-3" }).Order(),
            resumed.Select(r => r.Value).Order());
    }

    [Fact]
    public async Task ResumeWindowOutsideBounds_Is400WithTheBounds()
    {
        var topic = proxy.CreateTopic(partitions: 1);

        var (status, body, _) = await HandshakeProbe.UpgradeAsync(proxy.EdgeHttp, $"/socket/out?clientId=c&topic={topic}&resumeWindowMs=1000");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("resumeWindowMs 1000 is outside what this server allows: 6000 to 300000, or 0 for none.", body.GetProperty("message").GetString());
    }
}
