using System.Net.WebSockets;
using Grpc.Core;
using KafkaWsProxy.Edge.Bridge;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>Why a socket's session ended.</summary>
internal enum SocketEndReason
{
    /// <summary>The client sent a close frame and every ack it was owed was sent.</summary>
    ClientClosed,

    /// <summary>The client sent a frame over the configured maximum.</summary>
    FrameTooLarge,

    /// <summary>The connection dropped without a close handshake.</summary>
    ConnectionLost,

    /// <summary>The bridge stream failed (bridge down, Kafka failure, fenced...).</summary>
    BridgeFailed,

    /// <summary>After the client closed, the acks still owed did not arrive in time.</summary>
    DrainTimedOut,

    /// <summary>The edge is shutting down.</summary>
    ServerStopping,

    /// <summary>The credentials the socket was opened with expired (a JWT's exp).</summary>
    CredentialsExpired,
}

/// <summary>How a session ended, and the close frame that tells the client.</summary>
internal readonly record struct SocketEnd(SocketEndReason Reason, RpcException? BridgeError = null)
{
    public static SocketEnd Of(SocketEndReason reason) => new(reason);

    public static SocketEnd Bridge(RpcException error) => new(SocketEndReason.BridgeFailed, error);

    /// <summary>The close frame to send, or null where the connection is gone and only an abort is left.</summary>
    public (WebSocketCloseStatus Status, string Reason)? ToClose(int maxFrameBytes) => Reason switch
    {
        SocketEndReason.ClientClosed => (WebSocketCloseStatus.NormalClosure, ""),
        SocketEndReason.FrameTooLarge => (WebSocketCloseStatus.MessageTooBig, $"Frame larger than {maxFrameBytes} bytes."),
        SocketEndReason.BridgeFailed when BridgeError is not null =>
            (BridgeStatusMapping.ToCloseStatus(BridgeError), BridgeStatusMapping.ToCloseReason(BridgeError)),
        SocketEndReason.BridgeFailed => (WebSocketCloseStatus.InternalServerError, "Kafka bridge failed."),
        SocketEndReason.DrainTimedOut => (WebSocketCloseStatus.InternalServerError, "Timed out waiting for Kafka acknowledgements."),
        SocketEndReason.ServerStopping => (WebSocketCloseStatus.EndpointUnavailable, "Server is shutting down; reconnect."),
        SocketEndReason.CredentialsExpired => (WebSocketCloseStatus.PolicyViolation, "Credentials expired; reconnect with fresh ones."),
        _ => null,
    };
}
