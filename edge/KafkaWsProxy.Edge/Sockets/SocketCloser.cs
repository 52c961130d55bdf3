using System.Net.WebSockets;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>Ends a WebSocket: a close handshake where the connection is alive, an abort where it is not.</summary>
internal static class SocketCloser
{
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
            socket.Abort();
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
