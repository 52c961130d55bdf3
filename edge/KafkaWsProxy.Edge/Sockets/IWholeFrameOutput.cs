namespace KafkaWsProxy.Edge.Sockets;

/// <summary>
/// Writes a WebSocket frame built once for many sockets (<see cref="ServerTextFrame"/>) to one
/// connection by reference, in order with the frames the socket's WebSocket writes itself. It
/// spares each socket the WebSocket's copy of the payload and the output buffer's, which at
/// thousands of broadcast sockets were most of the edge's work (docs/broadcast-fanout.md).
/// </summary>
/// <remarks>
/// The caller is the socket's single sender, sends whole messages only, and stops before the
/// WebSocket's close frame: nothing may follow it.
/// </remarks>
internal interface IWholeFrameOutput
{
    ValueTask WriteWholeFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken);
}
