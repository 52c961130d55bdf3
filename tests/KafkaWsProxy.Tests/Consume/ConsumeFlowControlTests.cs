using System.Diagnostics;
using System.Text.Json;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Consume;

/// <summary>Spec §5: the uncommitted cap, rate, batches, and a slow reader that is neither evicted nor buffered without bound.</summary>
[Collection(ProxyTests.Name)]
public sealed class ConsumeFlowControlTests(ProxyFixture proxy)
{
    [Fact]
    public async Task UncommittedCap_ClientNeverCommits_GetsExactlyCapThenMoreAfterCommit()
    {
        await using var capped = await proxy.StartProxyAsync(new Dictionary<string, string?> { ["Consume__MaxUncommittedPerStream"] = "10" });
        var topic = proxy.CreateTopic(partitions: 1);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 30);
        await using var socket = await TestSocket.ConnectAsync(capped.SocketUri("/socket/out", $"clientId=c-{topic}&topic={topic}&autoCommit=false"));

        var first = await socket.ReceiveRecordsAsync(10);
        Assert.True(await socket.IsQuietForAsync(TimeSpan.FromSeconds(2)), socket.Unexpected);

        await socket.SendTextAsync(first[4].CommitFrame);
        var more = await socket.ReceiveRecordsAsync(5);
        Assert.True(await socket.IsQuietForAsync(TimeSpan.FromSeconds(1)), socket.Unexpected);

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"v{i}"), first.Select(r => r.Value));
        Assert.Equal(Enumerable.Range(10, 5).Select(i => $"v{i}"), more.Select(r => r.Value));
    }

    [Fact]
    public async Task Rate_TwentyPerSecond_HundredRecordsTakeAtLeastFourSeconds()
    {
        var topic = proxy.CreateTopic(partitions: 2);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 100);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=c-{topic}&topic={topic}&rate=20"));

        var first = await socket.ReceiveRecordsAsync(1);
        var clock = Stopwatch.StartNew();
        var rest = await socket.ReceiveRecordsAsync(99);
        clock.Stop();

        // 99 records at 20/s need ~4.9 s; only a lower bound is asserted (machines here are noisy).
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(4), $"took {clock.Elapsed}");
        Assert.Equal(100, first.Concat(rest).Select(r => r.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task BatchSize_Ten_FramesAreArraysOfAtMostTen()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 35);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=c-{topic}&topic={topic}&batchSize=10"));

        var sizes = new List<int>();
        var values = new List<string>();
        while (values.Count < 35)
        {
            var frame = await socket.ReceiveJsonAsync();
            Assert.Equal(JsonValueKind.Array, frame.ValueKind);
            sizes.Add(frame.GetArrayLength());
            values.AddRange(frame.EnumerateArray().Select(r => r.GetProperty("value").GetProperty("value").GetString()!));
        }

        Assert.All(sizes, size => Assert.InRange(size, 1, 10));
        Assert.Equal(Enumerable.Range(0, 35).Select(i => $"v{i}"), values);
    }

    [Fact]
    public async Task SlowReader_StallsLongerThanMaxPollInterval_StaysInGroupAndBridgeBuffersBounded()
    {
        // max.poll.interval.ms is 3 s here; the reader stalls for 7 s.
        await using var tuned = await proxy.StartProxyAsync(
            new Dictionary<string, string?>
            {
                ["Kafka__Consumer__max.poll.interval.ms"] = "3000",
                ["Consume__BufferedRecordsPerStream"] = "50",
                ["Consume__PauseAfterStall"] = "00:00:00.200",
            },
            new Dictionary<string, string?> { ["Sockets__ConsumerSendQueue"] = "8" });
        var topic = proxy.CreateTopic(partitions: 4);
        const int count = 1200;
        var value = new string('x', 10_000);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, Enumerable.Range(0, count).Select(i => ((string?)$"k{i}", $"{i}:{value}")));
        var clientId = $"slow-{topic}";
        await using var socket = await TestSocket.ConnectAsync(tuned.SocketUri("/socket/out", $"clientId={clientId}&topic={topic}"));
        await AssignmentLog.WaitForAsync(tuned.Bridge, clientId, topic, 4);

        // The stall is the scenario itself: the client reads nothing for longer than max.poll.interval.ms.
        var stall = TimeSpan.FromSeconds(7);
        await Task.Delay(stall); // ok-sleep

        var records = await socket.ReceiveRecordsAsync(count);

        Assert.Equal(count, records.Select(r => r.MessageId).Distinct().Count());
        Assert.Equal(0, AssignmentLog.RevocationCount(tuned.Bridge, clientId, topic));
        Assert.True(tuned.Bridge.CountLog($"Consumer of client {clientId} on {topic} paused") > 0, "the bridge never paused the slow reader");
        var waiting = tuned.Bridge.LogLines
            .Where(l => l.Contains($"Consumer of client {clientId} on {topic} paused", StringComparison.Ordinal))
            .Select(l => int.Parse(System.Text.RegularExpressions.Regex.Match(l, @"(\d+) waiting").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        // Bounded: beyond the 50-record buffer, at most the one chunk (50 records) that found no room waits
        // in the bridge (the poll loop stops taking records until there is room, and pauses when that lasts).
        Assert.All(waiting, w => Assert.InRange(w, 1, 50));
        Assert.False(tuned.Bridge.HasExited);
    }
}
