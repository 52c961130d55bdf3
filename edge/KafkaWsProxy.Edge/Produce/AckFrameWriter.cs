using System.Text.Json;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Produce;

/// <summary>
/// Renders outbound /socket/in frames (docs/protocol.md §4) into one reused buffer. Owned
/// by the socket's single sender, so it is never used concurrently.
/// </summary>
internal sealed class AckFrameWriter : JsonFrameBuffer
{
    // A socket produces to one topic: its name is encoded once, not transcoded into every ack.
    private (string Name, JsonEncodedText Encoded) _topic = (string.Empty, JsonEncodedText.Encode(string.Empty));

    /// <summary>{"topic":..,"partition":..,"offset":..,"timestamp":..,"messageId":..}</summary>
    public ReadOnlyMemory<byte> Ack(RecordPosition position, string messageId)
    {
        if (!string.Equals(_topic.Name, position.Topic, StringComparison.Ordinal))
        {
            _topic = (position.Topic, JsonEncodedText.Encode(position.Topic, Encoder));
        }

        Reset();
        Writer.WriteStartObject();
        Writer.WriteString("topic"u8, _topic.Encoded);
        Writer.WriteNumber("partition"u8, position.Partition);
        Writer.WriteNumber("offset"u8, position.Offset);
        Writer.WriteNumber("timestamp"u8, position.TimestampMs);
        WriteMessageId(messageId);
        Writer.WriteEndObject();
        return Flush();
    }

    /// <summary>{"error":{"code":..,"message":..[,"kafkaError":..]},"messageId":..}</summary>
    public ReadOnlyMemory<byte> Error(FrameError error)
    {
        Reset();
        Writer.WriteStartObject();
        Writer.WriteStartObject("error"u8);
        Writer.WriteString("code"u8, error.Code);
        Writer.WriteString("message"u8, error.Message);
        if (error.KafkaError.Length > 0)
        {
            Writer.WriteString("kafkaError"u8, error.KafkaError);
        }

        Writer.WriteEndObject();
        WriteMessageId(error.MessageId);
        Writer.WriteEndObject();
        return Flush();
    }

    private void WriteMessageId(string messageId)
    {
        if (messageId.Length > 0)
        {
            Writer.WriteString("messageId"u8, messageId);
        }
    }
}
