using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Consume;

/// <summary>Spec §5: what /socket/in writes, /socket/out reads back: keys, values, headers, order per partition.</summary>
[Collection(ProxyTests.Name)]
public sealed class ConsumeRoundTripTests(ProxyFixture proxy)
{
    [Theory]
    [InlineData("string", "string", "\"k{0}\"", "\"value {0}\"")]
    [InlineData("int", "json", "{0}", "{{\"n\":{0},\"list\":[1,2]}}")]
    [InlineData("long", "double", "{0}", "{0}.5")]
    [InlineData("short", "float", "{0}", "{0}.25")]
    public async Task Consume_WhatWasProducedThroughTheProxy_SameKeysValuesHeadersAndOrder(string keyType, string valType, string keyTemplate, string valueTemplate)
    {
        const int count = 40;
        var topic = proxy.CreateTopic(partitions: 3);
        var types = $"keyType={keyType}&valType={valType}";
        await using (var producer = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=p&topic={topic}&{types}")))
        {
            for (var i = 0; i < count; i++)
            {
                var key = string.Format(System.Globalization.CultureInfo.InvariantCulture, keyTemplate, i % 5);
                var value = string.Format(System.Globalization.CultureInfo.InvariantCulture, valueTemplate, i);
                await producer.SendTextAsync($"{{\"headers\":[{{\"key\":\"seq\",\"value\":\"{i}\"}}],\"key\":{{\"value\":{key}}},\"value\":{{\"value\":{value}}},\"messageId\":\"{i}\"}}");
            }

            for (var i = 0; i < count; i++)
            {
                Assert.True((await producer.ReceiveJsonAsync()).TryGetProperty("offset", out _));
            }
        }

        await using var consumer = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=c-{topic}&topic={topic}&{types}"));
        var records = await consumer.ReceiveRecordsAsync(count);

        Assert.Equal(count, records.Select(r => r.MessageId).Distinct().Count());
        foreach (var record in records)
        {
            var json = record.Json;
            var seq = int.Parse(json.GetProperty("headers")[0].GetProperty("value").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal("seq", json.GetProperty("headers")[0].GetProperty("key").GetString());
            var expectedKey = string.Format(System.Globalization.CultureInfo.InvariantCulture, keyTemplate, seq % 5);
            var expectedValue = string.Format(System.Globalization.CultureInfo.InvariantCulture, valueTemplate, seq);
            Assert.Equal(Normalize(expectedKey), Normalize(json.GetProperty("key").GetProperty("value").GetRawText()));
            Assert.Equal(keyType, json.GetProperty("key").GetProperty("format").GetString());
            Assert.Equal(Normalize(expectedValue), Normalize(json.GetProperty("value").GetProperty("value").GetRawText()));
            Assert.Equal(valType, json.GetProperty("value").GetProperty("format").GetString());
            Assert.Equal($"{topic}-{record.Partition}-{record.Offset}-{json.GetProperty("timestamp").GetInt64()}", record.MessageId);
        }

        // Within a partition, records come in the order they were produced.
        foreach (var partition in records.GroupBy(r => r.Partition))
        {
            var sequence = partition.Select(r => int.Parse(r.Json.GetProperty("headers")[0].GetProperty("value").GetString()!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(sequence.Order(), sequence);
            Assert.Equal(partition.Select(r => r.Offset).Order(), partition.Select(r => r.Offset));
        }
    }

    [Fact]
    public async Task Consume_RecordThatDoesNotDecodeAsSocketType_DeliveredWithErrorMarkerNotDropped()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, [("k", "not a number"), ("k", "ok")]);

        await using var consumer = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=c-{topic}&topic={topic}&valType=long"));
        var records = await consumer.ReceiveRecordsAsync(2);

        var bad = records[0].Json;
        Assert.Equal("undecodable", bad.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("base64", bad.GetProperty("value").GetProperty("format").GetString());
        Assert.Equal("not a number"u8.ToArray(), bad.GetProperty("value").GetProperty("value").GetBytesFromBase64());
        Assert.Equal(1, records[1].Offset);
    }

    [Fact]
    public async Task Consume_KeylessRecordWithoutHeaders_HasNoKeyOrHeadersMembers()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, [(null, "bare")]);

        await using var consumer = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=c-{topic}&topic={topic}"));
        var record = Assert.Single(await consumer.ReceiveRecordsAsync(1));

        Assert.False(record.Json.TryGetProperty("key", out _));
        Assert.False(record.Json.TryGetProperty("headers", out _));
        Assert.Equal("bare", record.Value);
    }

    private static string Normalize(string json) =>
        System.Text.Json.JsonSerializer.Serialize(System.Text.Json.JsonDocument.Parse(json).RootElement is var e && e.ValueKind == System.Text.Json.JsonValueKind.Number
            ? (object)e.GetDouble()
            : e);
}
