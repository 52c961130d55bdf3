using System.Buffers;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>
/// The upgraded connection under a WebSocket, read in large pieces. The WebSocket
/// reads each frame in small reads (its header, then the rest of the payload), and
/// every read of Kestrel's upgraded stream goes through its request pipe, with its
/// lock and an async step; here one read takes whatever has arrived and the small
/// reads are copied out of it.
/// </summary>
/// <remarks>
/// Nothing is held while the connection is idle: a read first waits for data with
/// a zero-byte read of the connection, then rents a buffer, reads what is there and
/// returns the buffer once it has been read out. Bytes, their order, the end of the
/// stream and every failure reach the reader as the connection gives them.
/// Writes pass straight through.
/// </remarks>
internal sealed class ReadAheadStream(Stream inner) : ConnectionStream(inner)
{
    private const int ReadAheadBytes = 16 * 1024;

    private byte[]? _readAhead;
    private int _start;
    private int _end;

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_start < _end)
        {
            return new ValueTask<int>(CopyOut(buffer.Span));
        }

        // A zero-byte read waits for data, as the connection's does; a large read gains nothing from a copy.
        return buffer.Length is 0 or >= ReadAheadBytes
            ? Inner.ReadAsync(buffer, cancellationToken)
            : ReadAheadAsync(buffer, cancellationToken);
    }

    private async ValueTask<int> ReadAheadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await Inner.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        var readAhead = ArrayPool<byte>.Shared.Rent(ReadAheadBytes);
        int read;
        try
        {
            read = await Inner.ReadAsync(readAhead, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(readAhead);
            throw;
        }

        if (read == 0)
        {
            ArrayPool<byte>.Shared.Return(readAhead);
            return 0;
        }

        (_readAhead, _start, _end) = (readAhead, 0, read);
        return CopyOut(buffer.Span);
    }

    private int CopyOut(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, _end - _start);
        _readAhead.AsSpan(_start, count).CopyTo(destination);
        _start += count;
        if (_start == _end)
        {
            ArrayPool<byte>.Shared.Return(_readAhead!);
            (_readAhead, _start, _end) = (null, 0, 0);
        }

        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // The WebSocket only reads asynchronously; a synchronous read would have to block on the async one.
    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("Read asynchronously.");

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        Inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => Inner.Write(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => Inner.FlushAsync(cancellationToken);

    public override void Flush() => Inner.Flush();
}
