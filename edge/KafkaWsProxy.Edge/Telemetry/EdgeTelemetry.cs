using System.Diagnostics;
using Google.Protobuf.Collections;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Edge.Telemetry;

/// <summary>
/// The edge's spans: one per socket, one per batch of records forwarded to the bridge,
/// and one per consumed record that carries a sampled W3C trace context (docs/operations.md, "Traces").
/// </summary>
internal static class EdgeTelemetry
{
    /// <summary>The edge's ActivitySource and Meter.</summary>
    public const string Name = "KafkaWsProxy.Edge";

    public const string TraceParentHeader = "traceparent";

    private static readonly ActivitySource s_source = new(Name);

    /// <summary>
    /// The socket's span, current for the whole socket: the bridge stream opened in it
    /// carries its trace context in its gRPC metadata.
    /// </summary>
    public static Activity? StartSocket(string path, string clientId, string topic)
    {
        var activity = s_source.StartActivity("socket " + path);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("kafkawsproxy.client_id", clientId);
            activity.SetTag("messaging.destination.name", topic);
        }

        return activity;
    }

    public static Activity? StartProduceBatch(int records)
    {
        var activity = s_source.StartActivity("produce batch", ActivityKind.Producer);
        activity?.SetTag("messaging.batch.message_count", records);
        return activity;
    }

    /// <summary>
    /// A span for a consumed record handed to the client, child of the trace context the
    /// record carries, linked to the socket's span; null (no cost beyond a look at the
    /// headers) unless that context is sampled and traces are recorded.
    /// </summary>
    public static DeliverySpan StartDelivery(RecordPosition position, RepeatedField<RecordHeader> headers)
    {
        if (headers.Count == 0 || !s_source.HasListeners() || TraceParentOf(headers) is not { } parent)
        {
            return default;
        }

        var socket = Activity.Current;
        var activity = s_source.StartActivity(ActivityKind.Consumer, parent,
            links: socket is null ? null : [new ActivityLink(socket.Context)], name: "deliver " + position.Topic);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.destination.name", position.Topic);
            activity.SetTag("messaging.destination.partition.id", position.Partition);
            activity.SetTag("messaging.kafka.offset", position.Offset);
        }

        return new DeliverySpan(activity, socket);
    }

    private static ActivityContext? TraceParentOf(RepeatedField<RecordHeader> headers)
    {
        foreach (var header in headers)
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

    /// <summary>
    /// Ends a delivery span and makes the socket's span current again (stopping a span
    /// makes its parent current, and a delivery span's parent is in another process).
    /// </summary>
    internal readonly struct DeliverySpan(Activity? span, Activity? socket) : IDisposable
    {
        public void Dispose()
        {
            if (span is not null)
            {
                span.Dispose();
                Activity.Current = socket;
            }
        }
    }
}
