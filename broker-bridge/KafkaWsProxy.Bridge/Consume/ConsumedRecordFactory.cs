using Confluent.Kafka;
using KafkaWsProxy.Bridge.Serialization;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>Turns a Kafka record into a <see cref="ConsumedRecord"/> in the stream's formats.</summary>
internal sealed class ConsumedRecordFactory(DataFormat keyFormat, DataFormat valueFormat)
{
    public ConsumedRecord Create(ConsumeResult<byte[]?, byte[]?> result)
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
