namespace KafkaWsProxy.Edge.Consume;

/// <summary>
/// One record frame of a shared broadcast stream, rendered once for every socket that shares it
/// (docs/protocol.md §5.1): its bytes, how many records it holds, and the last offset it holds of
/// each partition (what a socket that sent it resumes after).
/// </summary>
internal sealed record BroadcastFrame(ReadOnlyMemory<byte> Bytes, int RecordCount, (int Partition, long Offset)[] LastOffsets);

/// <summary>What a shared broadcast socket's single sender writes: a record frame, or an error frame for the client.</summary>
internal readonly record struct BroadcastOutbound(BroadcastFrame? Frame, Sockets.FrameError? Error);
