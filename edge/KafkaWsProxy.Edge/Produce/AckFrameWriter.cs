using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Edge.Produce;

/// <summary>
/// Renders outbound /socket/in frames (spec §4) into one reused buffer. Owned
/// by the socket's single sender, so it is never used concurrently.
/// </summary>
internal sealed class AckFrameWriter : IDisposable
{
    private static readonly JsonWriterOptions s_options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _writer;

    public AckFrameWriter() => _writer = new Utf8JsonWriter(_buffer, s_options);

    /// <summary>{"topic":..,"partition":..,"offset":..,"timestamp":..,"messageId":..}</summary>
    public ReadOnlyMemory<byte> Ack(RecordPosition position, string messageId)
    {
        Reset();
        _writer.WriteStartObject();
        _writer.WriteString("topic"u8, position.Topic);
        _writer.WriteNumber("partition"u8, position.Partition);
        _writer.WriteNumber("offset"u8, position.Offset);
        _writer.WriteNumber("timestamp"u8, position.TimestampMs);
        WriteMessageId(messageId);
        _writer.WriteEndObject();
        return Flush();
    }

    /// <summary>{"error":{"code":..,"message":..[,"kafkaError":..]},"messageId":..}</summary>
    public ReadOnlyMemory<byte> Error(FrameError error)
    {
        Reset();
        _writer.WriteStartObject();
        _writer.WriteStartObject("error"u8);
        _writer.WriteString("code"u8, error.Code);
        _writer.WriteString("message"u8, error.Message);
        if (error.KafkaError.Length > 0)
        {
            _writer.WriteString("kafkaError"u8, error.KafkaError);
        }

        _writer.WriteEndObject();
        WriteMessageId(error.MessageId);
        _writer.WriteEndObject();
        return Flush();
    }

    public void Dispose() => _writer.Dispose();

    private void WriteMessageId(string messageId)
    {
        if (messageId.Length > 0)
        {
            _writer.WriteString("messageId"u8, messageId);
        }
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
}
