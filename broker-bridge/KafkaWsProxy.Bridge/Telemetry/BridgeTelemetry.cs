using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Telemetry;

/// <summary>
/// The bridge's trace context: produced records carry the stream's W3C trace context in a
/// traceparent header; a consumed record carrying a sampled one gets a span in its trace
/// (docs/operations.md, "Traces").
/// </summary>
internal static class BridgeTelemetry
{
    /// <summary>The bridge's ActivitySource and Meter.</summary>
    public const string Name = "KafkaWsProxy.Bridge";

    public const string TraceParentHeader = "traceparent";

    private static readonly ActivitySource s_source = new(Name);

    /// <summary>The current span's W3C id (the traceparent value), or null when there is none.</summary>
    public static string? CurrentSpanId() =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    /// <summary>
    /// Adds the current trace context as a traceparent header, unless the record has one
    /// (a client's own trace context is kept) or there is no current trace.
    /// </summary>
    /// <param name="cache">The last header value made, reused while the current span is the same.</param>
    public static Headers? AddTraceParent(Headers? headers, ref (string? SpanId, byte[] Value) cache)
    {
        var current = Activity.Current;
        if (current is null || current.IdFormat != ActivityIdFormat.W3C)
        {
            return headers;
        }

        if (headers is not null && headers.TryGetLastBytes(TraceParentHeader, out _))
        {
            return headers;
        }

        var spanId = current.Id;
        if (!ReferenceEquals(cache.SpanId, spanId))
        {
            cache = (spanId, Encoding.ASCII.GetBytes(spanId!));
        }

        headers ??= new Headers();
        headers.Add(TraceParentHeader, cache.Value);
        return headers;
    }

    /// <summary>Spans for the records of one message to the edge that carry a sampled trace context; null when there are none.</summary>
    public static List<Activity>? StartDeliveries(ConsumedRecordBatch batch)
    {
        if (!s_source.HasListeners())
        {
            return null;
        }

        List<Activity>? started = null;
        var stream = Activity.Current;
        foreach (var record in batch.Records)
        {
            if (TraceParentOf(record) is not { } parent)
            {
                continue;
            }

            var activity = s_source.StartActivity(ActivityKind.Consumer, parent,
                links: stream is null ? null : [new ActivityLink(stream.Context)], name: "deliver " + record.Position.Topic);
            if (activity is null)
            {
                continue;
            }

            if (activity.IsAllDataRequested)
            {
                activity.SetTag("messaging.destination.name", record.Position.Topic);
                activity.SetTag("messaging.destination.partition.id", record.Position.Partition);
                activity.SetTag("messaging.kafka.offset", record.Position.Offset);
            }

            // Current is only for the span's own children: none here, and the caller's stays current.
            Activity.Current = stream;
            (started ??= []).Add(activity);
        }

        return started;
    }

    private static ActivityContext? TraceParentOf(ConsumedRecord record)
    {
        foreach (var header in record.Headers)
        {
            if (header.Key == TraceParentHeader
                && ActivityContext.TryParse(header.Value.ToStringUtf8(), traceState: null, isRemote: true, out var context)
                && (context.TraceFlags & ActivityTraceFlags.Recorded) != 0)
            {
                return context;
            }
        }

        return null;
    }
}
