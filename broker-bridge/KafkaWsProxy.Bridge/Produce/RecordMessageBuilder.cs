using System.Diagnostics.CodeAnalysis;
using Confluent.Kafka;
using KafkaWsProxy.Bridge.Serialization;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Produce;

/// <summary>Turns a <see cref="ProduceRecord"/> into a Kafka message in the formats its stream declared.</summary>
internal sealed class RecordMessageBuilder(DataFormat streamKeyFormat, DataFormat streamValueFormat)
{
    private readonly DataFormat _valueFormat =
        streamValueFormat == DataFormat.Unspecified ? DataFormat.String : streamValueFormat;

    private (string? SpanId, byte[] Value) _traceParent = (null, []);

    // The headers of a record that brings none of its own: only the trace context, the same
    // for every record of the span, so one instance serves them all (Confluent.Kafka copies
    // headers into librdkafka during Produce and never changes them).
    private (string? SpanId, Headers? Headers) _traceParentOnly;

    public bool TryBuild(ProduceRecord record, out Message<byte[]?, byte[]?> message, [NotNullWhen(false)] out RecordError? error)
    {
        message = new Message<byte[]?, byte[]?>();
        error = null;

        if (record.Key is not null)
        {
            var keyFormat = KeyFormatOf(record);
            if (!TypedValueCodec.TryEncode(record.Key, keyFormat, out var key, out var why))
            {
                error = InvalidData("key " + why);
                return false;
            }

            message.Key = key;
        }

        if (record.Value is not null)
        {
            if (!TypedValueCodec.TryEncode(record.Value, _valueFormat, out var value, out var why))
            {
                error = InvalidData("value " + why);
                return false;
            }

            message.Value = value;
        }

        if (record.Headers.Count > 0)
        {
            var headers = new Headers();
            foreach (var header in record.Headers)
            {
                headers.Add(header.Key, header.Value.ToByteArray());
            }

            message.Headers = Telemetry.BridgeTelemetry.AddTraceParent(headers, ref _traceParent);
            return true;
        }

        message.Headers = TraceParentOnly();
        return true;
    }

    private Headers? TraceParentOnly()
    {
        var spanId = Telemetry.BridgeTelemetry.CurrentSpanId();
        if (spanId is null)
        {
            return null;
        }

        if (!ReferenceEquals(_traceParentOnly.SpanId, spanId))
        {
            _traceParentOnly = (spanId, Telemetry.BridgeTelemetry.AddTraceParent(null, ref _traceParent));
        }

        return _traceParentOnly.Headers;
    }

    private DataFormat KeyFormatOf(ProduceRecord record)
    {
        if (streamKeyFormat != DataFormat.Unspecified)
        {
            return streamKeyFormat;
        }

        return record.KeyFormat != DataFormat.Unspecified ? record.KeyFormat : TypedValueCodec.ImpliedFormat(record.Key);
    }

    private static RecordError InvalidData(string message) =>
        new() { Code = RecordErrorCode.InvalidData, Message = message };
}
