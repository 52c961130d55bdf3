using System.Text;
using System.Text.Json;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Produce;

/// <summary>Spec §4: many records in flight, acks in input order, each record in Kafka exactly once.</summary>
[Collection(ProxyTests.Name)]
public sealed class ProducePipelineTests(ProxyFixture proxy)
{
    [Fact]
    public async Task Produce_TenThousandPipelinedRecords_AllAckedInOrderAndInKafkaExactlyOnce()
    {
        const int count = 10_000;
        var topic = proxy.CreateTopic(partitions: 4);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=pipeline&topic={topic}&keyType=string"));

        // Send everything without waiting for acks, while acks are read concurrently.
        var sending = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                await socket.SendTextAsync($"{{\"key\":{{\"value\":\"k{i % 16}\"}},\"value\":{{\"value\":\"v{i}\"}},\"messageId\":\"{i}\"}}");
            }
        });
        var acks = new List<JsonElement>(count);
        while (acks.Count < count)
        {
            acks.Add(await socket.ReceiveJsonAsync());
        }

        await sending;

        var lastOffset = new Dictionary<int, long>();
        for (var i = 0; i < count; i++)
        {
            var ack = acks[i];
            Assert.True(ack.TryGetProperty("offset", out var offsetElement), $"ack {i} is an error: {ack}");
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), ack.GetProperty("messageId").GetString());
            var partition = ack.GetProperty("partition").GetInt32();
            var offset = offsetElement.GetInt64();
            if (lastOffset.TryGetValue(partition, out var previous))
            {
                Assert.True(offset > previous, $"partition {partition}: offset {offset} after {previous}");
            }

            lastOffset[partition] = offset;
        }

        var records = await KafkaDirect.ReadAsync(proxy.Kafka.BootstrapServers, topic, count);
        var values = records.Select(r => Encoding.UTF8.GetString(r.Message.Value!)).ToList();
        Assert.Equal(count, values.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, count).Select(i => $"v{i}").OrderBy(v => v, StringComparer.Ordinal),
            values.OrderBy(v => v, StringComparer.Ordinal));

        // The same key always went to the same partition, and each ack names where its record is.
        var byValue = records.ToDictionary(r => Encoding.UTF8.GetString(r.Message.Value!));
        for (var i = 0; i < count; i += 997)
        {
            var record = byValue[$"v{i}"];
            Assert.Equal(acks[i].GetProperty("partition").GetInt32(), record.Partition.Value);
            Assert.Equal(acks[i].GetProperty("offset").GetInt64(), record.Offset.Value);
        }
    }
}
