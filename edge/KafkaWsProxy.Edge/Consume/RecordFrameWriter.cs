using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Produce;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>
/// Renders outbound /socket/out frames (spec §5): one record object, or an
/// array of them when the socket batches. Owned by the socket's single sender.
/// </summary>
/// <remarks>
/// A record whose key or value could not be decoded as the socket's type is
/// still delivered: that part as {"value":"&lt;base64&gt;","format":"base64"},
/// with "error":{"code":"undecodable","message":...} on the record.
/// </remarks>
internal sealed class RecordFrameWriter : IDisposable
{
    private static readonly JsonWriterOptions s_options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer;
    private readonly DataFormat _keyFormat;
    private readonly DataFormat _valueFormat;

    public RecordFrameWriter(DataFormat keyFormat, DataFormat valueFormat)
    {
        _writer = new Utf8JsonWriter(_buffer, s_options);
        _keyFormat = keyFormat;
        _valueFormat = valueFormat;
    }

    /// <summary>The wsProxyMessageId of a record: {topic}-{partition}-{offset}-{timestamp}.</summary>
    public static string MessageIdOf(RecordPosition position) =>
        string.Create(CultureInfo.InvariantCulture, $"{position.Topic}-{position.Partition}-{position.Offset}-{position.TimestampMs}");

    public ReadOnlyMemory<byte> Single(ConsumedRecord record)
    {
        Reset();
        WriteRecord(record);
        return Flush();
    }

    public ReadOnlyMemory<byte> Batch(IReadOnlyList<ConsumedRecord> records)
    {
        Reset();
        _writer.WriteStartArray();
        foreach (var record in records)
        {
            WriteRecord(record);
        }

        _writer.WriteEndArray();
        return Flush();
    }

    /// <summary>{"error":{"code":..,"message":..},"wsProxyMessageId":..}</summary>
    public ReadOnlyMemory<byte> Error(string code, string message, string? wsProxyMessageId)
    {
        Reset();
        _writer.WriteStartObject();
        _writer.WriteStartObject("error"u8);
        _writer.WriteString("code"u8, code);
        _writer.WriteString("message"u8, message);
        _writer.WriteEndObject();
        if (!string.IsNullOrEmpty(wsProxyMessageId))
        {
            _writer.WriteString("wsProxyMessageId"u8, wsProxyMessageId);
        }

        _writer.WriteEndObject();
        return Flush();
    }

    private void WriteRecord(ConsumedRecord record)
    {
        var position = record.Position;
        _writer.WriteStartObject();
        _writer.WriteString("wsProxyMessageId"u8, MessageIdOf(position));
        _writer.WriteString("topic"u8, position.Topic);
        _writer.WriteNumber("partition"u8, position.Partition);
        _writer.WriteNumber("offset"u8, position.Offset);
        _writer.WriteNumber("timestamp"u8, position.TimestampMs);
        if (record.Headers.Count > 0)
        {
            _writer.WriteStartArray("headers"u8);
            foreach (var header in record.Headers)
            {
                _writer.WriteStartObject();
                _writer.WriteString("key"u8, header.Key);
                _writer.WriteString("value"u8, Encoding.UTF8.GetString(header.Value.Span));
                _writer.WriteEndObject();
            }

            _writer.WriteEndArray();
        }

        if (record.Key is not null)
        {
            _writer.WritePropertyName("key"u8);
            WriteTyped(record.Key, _keyFormat);
        }

        _writer.WritePropertyName("value"u8);
        if (record.Value is null)
        {
            _writer.WriteNullValue();
        }
        else
        {
            WriteTyped(record.Value, _valueFormat);
        }

        if (record.Error is { } error)
        {
            _writer.WriteStartObject("error"u8);
            _writer.WriteString("code"u8, FrameErrorCodes.Undecodable);
            _writer.WriteString("message"u8, error.Message);
            _writer.WriteEndObject();
        }

        _writer.WriteEndObject();
    }

    private void WriteTyped(TypedValue value, DataFormat format)
    {
        _writer.WriteStartObject();
        _writer.WritePropertyName("value"u8);
        var formatName = FormatNames.NameOf(format);
        switch (value.KindCase)
        {
            case TypedValue.KindOneofCase.StringValue:
                _writer.WriteStringValue(value.StringValue);
                break;
            case TypedValue.KindOneofCase.JsonValue:
                _writer.WriteRawValue(value.JsonValue, skipInputValidation: false);
                break;
            case TypedValue.KindOneofCase.IntValue:
                _writer.WriteNumberValue(value.IntValue);
                break;
            case TypedValue.KindOneofCase.ShortValue:
                _writer.WriteNumberValue(value.ShortValue);
                break;
            case TypedValue.KindOneofCase.LongValue:
                _writer.WriteNumberValue(value.LongValue);
                break;
            case TypedValue.KindOneofCase.FloatValue:
                _writer.WriteNumberValue(value.FloatValue);
                break;
            case TypedValue.KindOneofCase.DoubleValue:
                _writer.WriteNumberValue(value.DoubleValue);
                break;
            default:
                _writer.WriteBase64StringValue(value.BytesValue.Span);
                formatName = "base64";
                break;
        }

        _writer.WriteString("format"u8, formatName);
        _writer.WriteEndObject();
    }

    private void Reset()
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
    }

    private ReadOnlyMemory<byte> Flush()
    {
        _writer.Flush();
        return _buffer.WrittenMemory;
    }

    public void Dispose() => _writer.Dispose();
}
