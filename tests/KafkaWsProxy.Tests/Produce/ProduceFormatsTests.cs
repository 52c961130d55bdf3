using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Produce;

/// <summary>Spec §3: every format, as key and as value, lands as the exact bytes of Kafka's serializers.</summary>
[Collection(ProxyTests.Name)]
public sealed class ProduceFormatsTests(ProxyFixture proxy)
{
    public static TheoryData<string, string, byte[]> Formats() => new()
    {
        { "string", "\"héllo wörld\"", Serializers.Utf8.Serialize("héllo wörld", SerializationContext.Empty) },
        { "json", "{ \"a\" : [1, 2.50, true, null], \"b\": \"é\\u00e9\", \"c\": {} }", Encoding.UTF8.GetBytes("{\"a\":[1,2.50,true,null],\"b\":\"éé\",\"c\":{}}") },
        { "json", "\"just a string\"", Encoding.UTF8.GetBytes("\"just a string\"") },
        { "int", "-123456789", Serializers.Int32.Serialize(-123456789, SerializationContext.Empty) },
        { "short", "-2", BigEndianShort(-2) },
        { "short", "32767", BigEndianShort(32767) },
        { "long", "9007199254740993", Serializers.Int64.Serialize(9007199254740993L, SerializationContext.Empty) },
        { "float", "1.5", Serializers.Single.Serialize(1.5f, SerializationContext.Empty) },
        { "double", "3.141592653589793", Serializers.Double.Serialize(Math.PI, SerializationContext.Empty) },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Produce_ValueOfEachFormat_LandsAsKafkaSerializerBytes(string format, string jsonValue, byte[] expected)
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=c&topic={topic}&valType={format}"));

        await socket.SendTextAsync($"{{\"value\":{{\"value\":{jsonValue},\"format\":\"{format}\"}},\"messageId\":\"m1\"}}");
        var ack = await socket.ReceiveJsonAsync();

        Assert.Equal("m1", ack.GetProperty("messageId").GetString());
        Assert.Equal(topic, ack.GetProperty("topic").GetString());
        var record = Assert.Single(await KafkaDirect.ReadAsync(proxy.Kafka.BootstrapServers, topic, 1));
        Assert.Equal(expected, record.Message.Value);
        Assert.Null(record.Message.Key);
        Assert.Equal(ack.GetProperty("offset").GetInt64(), record.Offset.Value);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Produce_KeyOfEachFormat_LandsAsKafkaSerializerBytes(string format, string jsonValue, byte[] expected)
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=c&topic={topic}&keyType={format}"));

        await socket.SendTextAsync($"{{\"key\":{{\"value\":{jsonValue}}},\"value\":{{\"value\":\"v\"}}}}");
        var ack = await socket.ReceiveJsonAsync();

        Assert.True(ack.TryGetProperty("offset", out _), ack.ToString());
        var record = Assert.Single(await KafkaDirect.ReadAsync(proxy.Kafka.BootstrapServers, topic, 1));
        Assert.Equal(expected, record.Message.Key);
        Assert.Equal("v"u8.ToArray(), record.Message.Value);
    }

    public static TheoryData<string, string, string> Misfits() => new()
    {
        { "short", "70000", "invalid_value" },
        { "short", "-32769", "invalid_value" },
        { "int", "\"abc\"", "invalid_value" },
        { "int", "2147483648", "invalid_value" },
        { "int", "1.5", "invalid_value" },
        { "long", "1e30", "invalid_value" },
        { "float", "1e39", "invalid_value" },
        { "double", "\"3.14\"", "invalid_value" },
        { "string", "42", "invalid_value" },
        { "string", "{\"a\":1}", "invalid_value" },
    };

    [Theory]
    [MemberData(nameof(Misfits))]
    public async Task Produce_ValueThatDoesNotFitItsFormat_GetsErrorFrameAndSocketStaysOpen(string format, string jsonValue, string code)
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=c&topic={topic}&valType={format}&keyType={format}"));

        await socket.SendTextAsync($"{{\"value\":{{\"value\":{jsonValue}}},\"messageId\":\"bad\"}}");
        var error = await socket.ReceiveJsonAsync();
        await socket.SendTextAsync($"{{\"key\":{{\"value\":{jsonValue}}},\"value\":{{\"value\":{GoodValue(format)}}},\"messageId\":\"bad-key\"}}");
        var keyError = await socket.ReceiveJsonAsync();
        await socket.SendTextAsync($"{{\"value\":{{\"value\":{GoodValue(format)}}},\"messageId\":\"good\"}}");
        var ack = await socket.ReceiveJsonAsync();

        Assert.Equal(code, error.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("bad", error.GetProperty("messageId").GetString());
        Assert.Equal("invalid_key", keyError.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("good", ack.GetProperty("messageId").GetString());
        Assert.Equal(0, ack.GetProperty("offset").GetInt64());
        Assert.Single(await KafkaDirect.ReadAsync(proxy.Kafka.BootstrapServers, topic, 1));
    }

    [Fact]
    public async Task Produce_FrameFormatDisagreeingWithSocketType_GetsErrorFrame()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await using var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=c&topic={topic}&valType=int"));

        await socket.SendTextAsync("{\"value\":{\"value\":5,\"format\":\"long\"}}");
        var error = await socket.ReceiveJsonAsync();

        Assert.Equal("invalid_value", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("int", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.False(error.TryGetProperty("messageId", out _));
    }

    private static string GoodValue(string format) => format switch
    {
        "string" => "\"ok\"",
        "json" => "{}",
        _ => "7",
    };

    private static byte[] BigEndianShort(short value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteInt16BigEndian(bytes, value);
        return bytes;
    }
}
