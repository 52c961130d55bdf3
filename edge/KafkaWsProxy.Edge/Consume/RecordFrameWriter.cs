using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>
/// Renders outbound /socket/out frames (docs/protocol.md §5): one record object, or an
/// array of them when the socket batches. Owned by the socket's single sender.
/// </summary>
/// <remarks>
/// A record whose key or value could not be decoded as the socket's type is
/// still delivered: that part as {"value":"&lt;base64&gt;","format":"base64"},
/// with "error":{"code":"undecodable","message":...} on the record.
/// </remarks>
internal sealed class RecordFrameWriter : JsonFrameBuffer
{
    private static readonly JsonEncodedText s_base64 = JsonEncodedText.Encode("base64");

    // The "format" of each key and value, encoded once per socket rather than per record.
    private readonly JsonEncodedText _keyFormat;
    private readonly JsonEncodedText _valueFormat;

    public RecordFrameWriter(DataFormat keyFormat, DataFormat valueFormat)
    {
        _keyFormat = JsonEncodedText.Encode(FormatNames.NameOf(keyFormat));
        _valueFormat = JsonEncodedText.Encode(FormatNames.NameOf(valueFormat));
    }

    // Per record, the id and the topic are written from UTF-8 bytes: no string, no transcoding.
    private string? _topic;
    private byte[] _topicUtf8 = [];
    private JsonEncodedText _topicJson;

    /// <summary>wsProxyMessageId = {topic}-{partition}-{offset}-{timestamp}, then the topic.</summary>
    private void WriteMessageIdAndTopic(RecordPosition position)
    {
        if (!string.Equals(_topic, position.Topic, StringComparison.Ordinal))
        {
            _topic = position.Topic;
            _topicUtf8 = Encoding.UTF8.GetBytes(position.Topic);
            _topicJson = JsonEncodedText.Encode(position.Topic, JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        }

        // A topic name is at most 249 characters; three numbers and dashes fit in 64 more bytes.
        Span<byte> id = stackalloc byte[_topicUtf8.Length + 64];
        _topicUtf8.CopyTo(id);
        var length = _topicUtf8.Length;
        id[length++] = (byte)'-';
        position.Partition.TryFormat(id[length..], out var written, provider: CultureInfo.InvariantCulture);
        length += written;
        id[length++] = (byte)'-';
        position.Offset.TryFormat(id[length..], out written, provider: CultureInfo.InvariantCulture);
        length += written;
        id[length++] = (byte)'-';
        position.TimestampMs.TryFormat(id[length..], out written, provider: CultureInfo.InvariantCulture);
        length += written;
        Writer.WriteString("wsProxyMessageId"u8, id[..length]);
        Writer.WriteString("topic"u8, _topicJson);
    }

    public ReadOnlyMemory<byte> Single(ConsumedRecord record)
    {
        Reset();
        WriteRecord(record);
        return Flush();
    }

    public ReadOnlyMemory<byte> Batch(IReadOnlyList<ConsumedRecord> records)
    {
        Reset();
        Writer.WriteStartArray();
        foreach (var record in records)
        {
            WriteRecord(record);
        }

        Writer.WriteEndArray();
        return Flush();
    }

    /// <summary>{"error":{"code":..,"message":..},"wsProxyMessageId":..}</summary>
    public ReadOnlyMemory<byte> Error(string code, string message, string? wsProxyMessageId)
    {
        Reset();
        Writer.WriteStartObject();
        Writer.WriteStartObject("error"u8);
        Writer.WriteString("code"u8, code);
        Writer.WriteString("message"u8, message);
        Writer.WriteEndObject();
        if (!string.IsNullOrEmpty(wsProxyMessageId))
        {
            Writer.WriteString("wsProxyMessageId"u8, wsProxyMessageId);
        }

        Writer.WriteEndObject();
        return Flush();
    }

    private void WriteRecord(ConsumedRecord record)
    {
        var position = record.Position;
        using var delivery = Telemetry.EdgeTelemetry.StartDelivery(position, record.Headers);
        Writer.WriteStartObject();
        WriteMessageIdAndTopic(position);
        Writer.WriteNumber("partition"u8, position.Partition);
        Writer.WriteNumber("offset"u8, position.Offset);
        Writer.WriteNumber("timestamp"u8, position.TimestampMs);
        if (record.Headers.Count > 0)
        {
            Writer.WriteStartArray("headers"u8);
            foreach (var header in record.Headers)
            {
                Writer.WriteStartObject();
                Writer.WriteString("key"u8, header.Key);
                Writer.WriteString("value"u8, Encoding.UTF8.GetString(header.Value.Span));
                Writer.WriteEndObject();
            }

            Writer.WriteEndArray();
        }

        if (record.Key is not null)
        {
            Writer.WritePropertyName("key"u8);
            WriteTyped(record.Key, _keyFormat);
        }

        Writer.WritePropertyName("value"u8);
        if (record.Value is null)
        {
            Writer.WriteNullValue();
        }
        else
        {
            WriteTyped(record.Value, _valueFormat);
        }

        if (record.Error is { } error)
        {
            Writer.WriteStartObject("error"u8);
            Writer.WriteString("code"u8, error.Code == RecordErrorCode.TooLarge ? FrameErrorCodes.TooLarge : FrameErrorCodes.Undecodable);
            Writer.WriteString("message"u8, error.Message);
            Writer.WriteEndObject();
        }

        Writer.WriteEndObject();
    }

    private void WriteTyped(TypedValue value, JsonEncodedText formatName)
    {
        Writer.WriteStartObject();
        Writer.WritePropertyName("value"u8);
        switch (value.KindCase)
        {
            case TypedValue.KindOneofCase.StringValue:
                Writer.WriteStringValue(value.StringValue);
                break;
            case TypedValue.KindOneofCase.JsonValue:
                Writer.WriteRawValue(value.JsonValue, skipInputValidation: false);
                break;
            case TypedValue.KindOneofCase.IntValue:
                Writer.WriteNumberValue(value.IntValue);
                break;
            case TypedValue.KindOneofCase.ShortValue:
                Writer.WriteNumberValue(value.ShortValue);
                break;
            case TypedValue.KindOneofCase.LongValue:
                Writer.WriteNumberValue(value.LongValue);
                break;
            case TypedValue.KindOneofCase.FloatValue:
                Writer.WriteNumberValue(value.FloatValue);
                break;
            case TypedValue.KindOneofCase.DoubleValue:
                Writer.WriteNumberValue(value.DoubleValue);
                break;
            default:
                Writer.WriteBase64StringValue(value.BytesValue.Span);
                formatName = s_base64;
                break;
        }

        Writer.WriteString("format"u8, formatName);
        Writer.WriteEndObject();
    }
}
