using System.Buffers;
using System.Net.WebSockets;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>What one receive produced.</summary>
internal enum ReceivedKind
{
    Text,
    Binary,
    Close,
    TooLarge,
}

/// <summary>
/// Reads whole WebSocket messages into one pooled buffer that grows up to the
/// configured maximum. A message over the maximum is not read further: the
/// caller closes the socket with 1009.
/// </summary>
internal sealed class WebSocketMessageReader(WebSocket socket, int maxMessageBytes) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(4096, maxMessageBytes + 1));
    private int _length;

    /// <summary>The last message read; valid until the next receive.</summary>
    public ReadOnlySpan<byte> Message => _buffer.AsSpan(0, _length);

    public async ValueTask<ReceivedKind> ReceiveAsync(CancellationToken cancellationToken)
    {
        _length = 0;
        while (true)
        {
            if (_length == _buffer.Length)
            {
                if (_length > maxMessageBytes)
                {
                    return ReceivedKind.TooLarge;
                }

                Grow();
            }

            var result = await socket.ReceiveAsync(_buffer.AsMemory(_length), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return ReceivedKind.Close;
            }

            _length += result.Count;
            if (_length > maxMessageBytes)
            {
                return ReceivedKind.TooLarge;
            }

            if (result.EndOfMessage)
            {
                return result.MessageType == WebSocketMessageType.Text ? ReceivedKind.Text : ReceivedKind.Binary;
            }
        }
    }

    private void Grow()
    {
        // One byte over the maximum is enough to tell that a message is too large.
        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)_buffer.Length * 2, (long)maxMessageBytes + 1));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
