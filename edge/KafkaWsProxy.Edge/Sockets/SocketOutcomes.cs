using Grpc.Core;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>How the loop that receives the client's frames ended, if it has.</summary>
internal enum ClientOutcome
{
    /// <summary>Still receiving.</summary>
    Open,

    /// <summary>The client sent a close frame.</summary>
    Closed,

    /// <summary>The client sent a frame over Sockets:MaxFrameBytes.</summary>
    FrameTooLarge,

    /// <summary>The connection dropped without a close handshake.</summary>
    ConnectionLost,
}

/// <summary>How the loop that reads the bridge stream ended, if it has.</summary>
internal enum BridgeOutcome
{
    /// <summary>Still reading, or stopped by the edge itself.</summary>
    Open,

    /// <summary>The bridge ended the stream with OK.</summary>
    Ended,

    /// <summary>The bridge is shutting down: its drain notice or trailer, or its HTTP/2 connection closed gracefully.</summary>
    Draining,

    /// <summary>The stream failed (bridge unreachable, Kafka failure, fenced...).</summary>
    Failed,

    /// <summary>A broadcast stream fell behind its buffer at the bridge and was dropped (docs/protocol.md §5.1).</summary>
    FellBehind,
}

/// <summary>How the socket's sender (acks on /socket/in, records on /socket/out) ended.</summary>
internal enum DeliveryOutcome
{
    /// <summary>It ran out of input: every frame the client was owed was sent (a consumer is owed none).</summary>
    Complete,

    /// <summary>The bridge stream ended while acks were still owed.</summary>
    Unanswered,

    /// <summary>Acks were still owed when Sockets:DrainTimeout passed.</summary>
    TimedOut,

    /// <summary>A send failed: the connection is gone.</summary>
    ConnectionLost,
}

/// <summary>Why the session was asked to end from outside, if it was.</summary>
internal enum EndRequestReason
{
    None,

    /// <summary>The edge is shutting down (SIGTERM).</summary>
    ServerStopping,

    /// <summary>The credentials the socket was opened with expired (a JWT's exp).</summary>
    CredentialsExpired,
}

/// <summary>What every loop of a socket's session reported; <see cref="SocketCloseDecision"/> turns it into the close.</summary>
internal readonly record struct SocketOutcomes(
    ClientOutcome Client,
    BridgeOutcome Bridge,
    DeliveryOutcome Delivery,
    EndRequestReason Requested,
    RpcException? BridgeError = null,
    string? ResumeAt = null);

/// <summary>The end of a bridge stream as its reading loop saw it.</summary>
internal readonly record struct BridgeEnd(BridgeOutcome Outcome, RpcException? Error = null)
{
    public static readonly BridgeEnd StillOpen = new(BridgeOutcome.Open);
}

/// <summary>How a session ended: what its loops reported, and the close that told the client.</summary>
internal sealed record SocketEnd(SocketOutcomes Outcomes, SocketClose Close);
