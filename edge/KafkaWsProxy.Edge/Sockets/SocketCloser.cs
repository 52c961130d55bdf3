using System.Net.WebSockets;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>Ends a WebSocket: a close handshake where the connection is alive, an abort where it is not.</summary>
internal static class SocketCloser
{
    /// <summary>
    /// Ends a socket whose connection is lost. When the WebSocket layer failed the
    /// connection itself (RFC 6455 §7.1.7: 1007 for a text frame that is not UTF-8, 1002 for
    /// a protocol error), its close frame is already sent: the connection is then left to end
    /// gracefully, since an abort could reset it before the client reads that close.
    /// </summary>
    public static void Abandon(WebSocket socket)
    {
        if (socket.State != WebSocketState.CloseSent)
        {
            socket.Abort();
        }
    }

    /// <summary>
    /// Sends the close frame, then waits up to <paramref name="closeTimeout"/> for
    /// <paramref name="receiving"/> (the session's receive loop) to see the client's
    /// answer. Aborts the socket when the handshake cannot finish.
    /// </summary>
    public static async Task CloseAsync(
        WebSocket socket,
        SocketClose close,
        Task receiving,
        TimeSpan closeTimeout)
    {
        if (close.Status is not { } status || socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            Abandon(socket);
            return;
        }

        using var timeout = new CancellationTokenSource(closeTimeout);
        try
        {
            await socket.CloseOutputAsync(status, close.Reason, timeout.Token).ConfigureAwait(false);
            await receiving.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException)
        {
            socket.Abort();
        }
    }
}
