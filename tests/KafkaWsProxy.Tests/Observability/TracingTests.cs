using System.Text;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Observability;

/// <summary>
/// Issue 12: W3C trace context from the edge's socket span, over the gRPC hop, into each
/// produced record's traceparent header, and back out of Kafka into the consumer's spans.
/// The services export their spans over OTLP to a listener in the test.
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class TracingTests(ProxyFixture proxy)
{
    [Fact]
    public async Task ProducedRecord_CarriesTheEdgeSocketsTrace_AndConsumingItContinuesThatTrace()
    {
        await using var otlp = new OtlpTraceListener();
        await using var instance = await proxy.StartProxyAsync(otlp.ExporterSettings(), otlp.ExporterSettings());
        var topic = proxy.CreateTopic(partitions: 1);

        await using (var producer = await TestSocket.ConnectAsync(instance.SocketUri("/socket/in", $"clientId=traced&topic={topic}")))
        {
            await producer.SendTextAsync("{\"value\":{\"value\":\"traced\"},\"messageId\":\"1\"}");
            Assert.True((await producer.ReceiveJsonAsync()).TryGetProperty("offset", out _));
            await producer.CloseAsync();
        }

        var record = Assert.Single(await KafkaDirect.ReadAsync(proxy.Kafka.BootstrapServers, topic, 1));
        var traceParent = TraceParentsOf(record.Message.Headers);
        var (traceId, parentSpanId) = Parse(Assert.Single(traceParent));

        // The edge's socket span is in the record's trace; the record's parent is the bridge's span of the
        // stream, itself a descendant of the socket span through the edge's gRPC client span.
        // Each service exports in its own batches, at its own time: wait for both.
        await Eventually.TrueAsync(() => otlp.Spans.Any(s => s.Service == "kafkawsproxy-bridge" && s.SpanId == parentSpanId)
            && otlp.Spans.Any(s => s.Service == "kafkawsproxy-edge" && s.Name == "socket /socket/in"),
            "the bridge's span of the produce stream and the edge's socket span exported");
        var edgeSocket = Assert.Single(otlp.Spans, s => s.Service == "kafkawsproxy-edge" && s.Name == "socket /socket/in");
        Assert.Equal(traceId, edgeSocket.TraceId);
        Assert.Equal(traceId, otlp.Spans.Single(s => s.SpanId == parentSpanId).TraceId);
        Assert.Contains(otlp.Spans, s => s.Service == "kafkawsproxy-edge" && s.Name == "produce batch" && s.ParentSpanId == edgeSocket.SpanId);

        await using var consumer = await TestSocket.ConnectAsync(instance.SocketUri("/socket/out", $"clientId=traced-reader&topic={topic}"));
        var delivered = Assert.Single(await consumer.ReceiveRecordsAsync(1));
        var header = Assert.Single(delivered.Json.GetProperty("headers").EnumerateArray());
        Assert.Equal("traceparent", header.GetProperty("key").GetString());
        Assert.Equal(traceParent[0], header.GetProperty("value").GetString());

        await Eventually.TrueAsync(() =>
            otlp.Spans.Any(s => s.Service == "kafkawsproxy-bridge" && s.Name == $"deliver {topic}")
            && otlp.Spans.Any(s => s.Service == "kafkawsproxy-edge" && s.Name == $"deliver {topic}"),
            "the consume side's delivery spans exported");
        Assert.All(otlp.Spans.Where(s => s.Name == $"deliver {topic}"), span =>
        {
            Assert.Equal(traceId, span.TraceId);
            Assert.Equal(parentSpanId, span.ParentSpanId);
            Assert.Single(span.LinkedSpanIds);
        });
    }

    [Fact]
    public async Task ProducedRecord_WithTheClientsOwnTraceParent_KeepsItAndGetsNoSecond()
    {
        const string clientTraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        await using var otlp = new OtlpTraceListener();
        await using var instance = await proxy.StartProxyAsync(otlp.ExporterSettings(), otlp.ExporterSettings());
        var topic = proxy.CreateTopic(partitions: 1);

        await using (var producer = await TestSocket.ConnectAsync(instance.SocketUri("/socket/in", $"clientId=own-trace&topic={topic}")))
        {
            await producer.SendTextAsync(
                $"{{\"headers\":[{{\"key\":\"traceparent\",\"value\":\"{clientTraceParent}\"}}],\"value\":{{\"value\":\"mine\"}}}}");
            Assert.True((await producer.ReceiveJsonAsync()).TryGetProperty("offset", out _));
        }

        var record = Assert.Single(await KafkaDirect.ReadAsync(proxy.Kafka.BootstrapServers, topic, 1));
        Assert.Equal([clientTraceParent], TraceParentsOf(record.Message.Headers));
    }

    private static List<string> TraceParentsOf(Confluent.Kafka.Headers? headers) =>
        (headers ?? []).Where(h => h.Key == "traceparent").Select(h => Encoding.ASCII.GetString(h.GetValueBytes())).ToList();

    /// <summary>00-{trace id}-{parent span id}-{flags}</summary>
    private static (string TraceId, string ParentSpanId) Parse(string traceParent)
    {
        var parts = traceParent.Split('-');
        Assert.Equal(4, parts.Length);
        Assert.Equal("00", parts[0]);
        return (parts[1], parts[2]);
    }
}
