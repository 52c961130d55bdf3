using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>
/// One record frame of a shared broadcast stream, rendered once for every socket that shares it
/// (docs/protocol.md §5.1): the whole WebSocket frame (<see cref="ServerTextFrame"/>), how many
/// records it holds, and the last offset it holds of each partition (what a socket that sent it
/// resumes after).
/// </summary>
internal sealed class BroadcastFrame(byte[] wholeFrame, int payloadLength, int recordCount, (int Partition, long Offset)[] lastOffsets)
{
    public static BroadcastFrame Of(ReadOnlySpan<byte> payload, int recordCount, (int Partition, long Offset)[] lastOffsets) =>
        new(ServerTextFrame.Build(payload), payload.Length, recordCount, lastOffsets);

    /// <summary>Header and payload, as written to a connection that takes whole frames.</summary>
    public ReadOnlyMemory<byte> WholeFrame => wholeFrame;

    /// <summary>The JSON text alone, for a WebSocket that frames it itself.</summary>
    public ReadOnlyMemory<byte> Payload => wholeFrame.AsMemory(wholeFrame.Length - payloadLength);

    public int RecordCount => recordCount;

    public (int Partition, long Offset)[] LastOffsets => lastOffsets;
}

/// <summary>What a shared broadcast socket's single sender writes: a record frame, or an error frame for the client.</summary>
internal readonly record struct BroadcastOutbound(BroadcastFrame? Frame, FrameError? Error);
