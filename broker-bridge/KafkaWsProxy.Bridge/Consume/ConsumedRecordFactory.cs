using Confluent.Kafka;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Serialization;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>Turns a Kafka record into a <see cref="ConsumedRecord"/> in the stream's formats.</summary>
/// <param name="maxRecordBytes">The most one record may take in a response message (Grpc:MaxMessageBytes
/// less the wrappers); a larger record is delivered as a too_large error on that record.</param>
internal sealed class ConsumedRecordFactory(DataFormat keyFormat, DataFormat valueFormat, int maxRecordBytes)
{
    /// <param name="size">What the record takes in a response's batch, computed once here: protobuf
    /// does not keep sizes, and each computation measures every string's UTF-8 length again.</param>
    public ConsumedRecord Create(ConsumeResult<byte[]?, byte[]?> result, out int size)
    {
        var record = Decode(result);
        size = GrpcOptions.SizeInBatch(record);
        if (size <= maxRecordBytes)
        {
            return record;
        }

        var tooLarge = TooLarge(record.Position, size);
        size = GrpcOptions.SizeInBatch(tooLarge);
        return tooLarge;
    }

    /// <summary>
    /// A record that cannot travel in one gRPC message, even alone, would fail the whole
    /// stream (and every reconnect after it). Its position still goes to the client, with
    /// an error instead of its content, so the client can see it, commit past it, and read
    /// it another way.
    /// </summary>
    private ConsumedRecord TooLarge(RecordPosition position, int size) => new()
    {
        Position = position,
        Error = new RecordError
        {
            Code = RecordErrorCode.TooLarge,
            Message = $"The record takes {size} bytes, more than the bridge may send in one message ({maxRecordBytes}, "
                + "Grpc:MaxMessageBytes); its key, value and headers are left out.",
        },
    };

    private ConsumedRecord Decode(ConsumeResult<byte[]?, byte[]?> result)
    {
        var record = new ConsumedRecord
        {
            Position = new RecordPosition
            {
                Topic = result.Topic,
                Partition = result.Partition.Value,
                Offset = result.Offset.Value,
                TimestampMs = result.Message.Timestamp.UnixTimestampMs,
            },
        };

        var problems = new List<string>(0);
        if (result.Message.Key is { } key)
        {
            if (!TypedValueCodec.TryDecode(key, keyFormat, out var decoded, out var why))
            {
                problems.Add("key: " + why);
            }

            record.Key = decoded;
        }

        if (result.Message.Value is { } value)
        {
            if (!TypedValueCodec.TryDecode(value, valueFormat, out var decoded, out var why))
            {
                problems.Add("value: " + why);
            }

            record.Value = decoded;
        }

        if (result.Message.Headers is { Count: > 0 } headers)
        {
            foreach (var header in headers)
            {
                record.Headers.Add(new RecordHeader
                {
                    Key = header.Key,
                    Value = Google.Protobuf.ByteString.CopyFrom(header.GetValueBytes() ?? []),
                });
            }
        }

        if (problems.Count > 0)
        {
            record.Error = new RecordError
            {
                Code = RecordErrorCode.Undecodable,
                Message = string.Join("; ", problems) + "; delivered as raw bytes.",
            };
        }

        return record;
    }
}
