using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Bridge;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>
/// What a /socket/out socket reads from: a bridge stream of its own, or its share of the edge's
/// one broadcast stream for its topic and frame shape (docs/protocol.md §5.1).
/// </summary>
internal abstract class ConsumeStream : IDisposable
{
    public abstract void Dispose();
}

/// <summary>A bridge stream of the socket's own: group sockets, and broadcast sockets with a start.</summary>
internal sealed class OwnConsumeStream(OpenedStream<ConsumeRequest, ConsumeResponse> stream) : ConsumeStream
{
    public OpenedStream<ConsumeRequest, ConsumeResponse> Stream => stream;

    public override void Dispose() => stream.Dispose();
}

/// <summary>A broadcast socket's share of the edge's shared bridge stream; disposing it leaves.</summary>
internal sealed class SharedConsumeStream(BroadcastShare share) : ConsumeStream
{
    public BroadcastShare Share => share;

    public override void Dispose() => share.Dispose();
}
