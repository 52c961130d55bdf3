using System.Buffers.Binary;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>
/// A whole WebSocket text message as a server puts it on the wire (RFC 6455 §5.2: one final
/// frame, unmasked, no extension bits), built once so that the same bytes can be written to
/// many connections (docs/broadcast-fanout.md).
/// </summary>
internal static class ServerTextFrame
{
    private const byte FinalText = 0x81;

    /// <summary>The frame: header, then <paramref name="payload"/>; the payload starts at <c>HeaderLength(payload.Length)</c>.</summary>
    public static byte[] Build(ReadOnlySpan<byte> payload)
    {
        var header = HeaderLength(payload.Length);
        var frame = new byte[header + payload.Length];
        frame[0] = FinalText;
        switch (header)
        {
            case 2:
                frame[1] = (byte)payload.Length;
                break;
            case 4:
                frame[1] = 126;
                BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
                break;
            default:
                frame[1] = 127;
                BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
                break;
        }

        payload.CopyTo(frame.AsSpan(header));
        return frame;
    }

    public static int HeaderLength(int payloadLength) => payloadLength switch
    {
        < 126 => 2,
        <= ushort.MaxValue => 4,
        _ => 10,
    };
}
