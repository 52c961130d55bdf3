using System.Net.WebSockets;
using Microsoft.AspNetCore.Connections;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>Checks every socket applies to an inbound frame before reading it, and how a dead connection shows.</summary>
internal static class InboundFrames
{
    /// <summary>The error for a frame that is not JSON text, or null when it is worth parsing.</summary>
    public static FrameError? RejectUnreadable(ReceivedKind kind, ReadOnlySpan<byte> frame)
    {
        if (kind == ReceivedKind.Binary)
        {
            return new FrameError(FrameErrorCodes.BinaryFrame, "Binary frames are not supported; send JSON text frames.");
        }

        return frame.IsEmpty ? new FrameError(FrameErrorCodes.EmptyFrame, "The frame is empty.") : null;
    }

    /// <summary>The exceptions a send or receive throws when the connection is gone.</summary>
    public static bool IsConnectionFailure(Exception e) =>
        e is WebSocketException or IOException or ConnectionAbortedException or ObjectDisposedException;
}
