using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Consume;

/// <summary>
/// Issue 10, docs/protocol.md §5: a topic of large records flows through /socket/out; a record
/// too large for one bridge message is delivered as an error on that record, never a closed socket.
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class ConsumeRecordSizeTests(ProxyFixture proxy)
{
    // 500 records of ~10 KB in one gRPC message (the old count-only bound) passed gRPC's
    // default 4 MB limit: every consumer socket on such a topic closed with 1011.
    [Fact]
    public async Task Consume_TopicOf10KilobyteRecords_AllDelivered()
    {
        const int perPartition = 250;
        var topic = proxy.CreateTopic(partitions: 4);
        var value = new string('x', 10_000);
        for (var partition = 0; partition < 4; partition++)
        {
            await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic,
                Enumerable.Range(0, perPartition).Select(i => ((string?)null, $"{partition}-{i}-{value}")), partition);
        }

        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=c-{topic}&topic={topic}"));
        var records = await socket.ReceiveRecordsAsync(4 * perPartition);

        Assert.Equal(4 * perPartition, records.Select(r => r.Value).Distinct().Count());
        Assert.All(records, r => Assert.EndsWith(value, r.Value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Consume_RecordLargerThanABridgeMessage_IsDeliveredAsTooLargeAndTheNextRecordFollows()
    {
        // A proxy whose gRPC messages are small (64 KiB), so a 100 KB record cannot travel in one.
        await using var small = await proxy.StartProxyAsync(
            new Dictionary<string, string?> { ["Grpc__MaxMessageBytes"] = "65536" },
            new Dictionary<string, string?> { ["Bridge__MaxMessageBytes"] = "65536", ["Sockets__MaxFrameBytes"] = "32768" });
        var topic = proxy.CreateTopic(partitions: 1);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, [("k", new string('x', 100_000)), ("k", "small")], partition: 0);

        await using var socket = await TestSocket.ConnectAsync(small.SocketUri("/socket/out", $"clientId=c-{topic}&topic={topic}"));
        var first = await socket.ReceiveJsonAsync();
        var second = Assert.Single(await socket.ReceiveRecordsAsync(1));

        Assert.Equal("too_large", first.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(0, first.GetProperty("offset").GetInt64());
        Assert.StartsWith($"{topic}-0-0-", first.GetProperty("wsProxyMessageId").GetString(), StringComparison.Ordinal);
        Assert.Equal("small", second.Value);
        Assert.Equal(1, second.Offset);
    }
}
