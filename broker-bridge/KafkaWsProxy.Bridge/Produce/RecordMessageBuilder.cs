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

    public bool TryBuild(ProduceRecord record, out Message<byte[]?, byte[]?> message, out RecordError error)
    {
        message = new Message<byte[]?, byte[]?>();
        error = new RecordError();

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

            message.Headers = headers;
        }

        message.Headers = Telemetry.BridgeTelemetry.AddTraceParent(message.Headers, ref _traceParent);
        return true;
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
