using System.Buffers;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>
/// The upgraded connection under a WebSocket, able to hold the WebSocket's
/// writes during a burst and send them as one write. One frame per record is
/// the protocol; one socket write (and one flush through Kestrel's pipe) per
/// frame was the edge's largest cost when a consumer socket streams records.
/// </summary>
/// <remarks>
/// Writes always go through the pending output, so their order is kept
/// whoever writes (the sender, or the WebSocket itself answering a ping); outside
/// a burst every write is flushed at once. The WebSocket's writes are copied;
/// whole frames built for many sockets (<see cref="IWholeFrameOutput"/>) are held
/// by reference. Reads pass straight through.
/// </remarks>
internal sealed class CoalescingStream(Stream inner, int maxHeldBytes) : ConnectionStream(inner), IOutputBatching, IWholeFrameOutput
{
    // Buffers above this size are dropped after a write rather than kept for the socket's lifetime.
    private const int RetainedBufferBytes = 256 * 1024;

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _writing = new(1, 1);
    private ArrayBufferWriter<byte> _pending = new();
    private ArrayBufferWriter<byte> _sending = new();

    // Whole frames held by reference, each after the copied bytes before it: (end of those in _pending, frame).
    private List<(int CopiedEnd, ReadOnlyMemory<byte> Frame)> _pendingFrames = [];
    private List<(int CopiedEnd, ReadOnlyMemory<byte> Frame)> _sendingFrames = [];
    private int _pendingFrameBytes;
    private volatile bool _holding;

    public void Begin() => _holding = true;

    public ValueTask EndAsync(CancellationToken cancellationToken)
    {
        _holding = false;
        return WritePendingAsync(cancellationToken);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int held;
        lock (_gate)
        {
            _pending.Write(buffer.Span);
            held = _pending.WrittenCount + _pendingFrameBytes;
        }

        return _holding && held < maxHeldBytes ? ValueTask.CompletedTask : WritePendingAsync(cancellationToken);
    }

    public ValueTask WriteWholeFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        int held;
        lock (_gate)
        {
            _pendingFrames.Add((_pending.WrittenCount, frame));
            _pendingFrameBytes += frame.Length;
            held = _pending.WrittenCount + _pendingFrameBytes;
        }

        return _holding && held < maxHeldBytes ? ValueTask.CompletedTask : WritePendingAsync(cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // The WebSocket flushes after every frame: within a burst that must not write the held frames.
    public override Task FlushAsync(CancellationToken cancellationToken) =>
        _holding ? Task.CompletedTask : WritePendingAsync(cancellationToken).AsTask();

    private async ValueTask WritePendingAsync(CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ArrayBufferWriter<byte> sending;
            List<(int CopiedEnd, ReadOnlyMemory<byte> Frame)> frames;
            lock (_gate)
            {
                if (_pending.WrittenCount == 0 && _pendingFrames.Count == 0)
                {
                    return;
                }

                (_pending, _sending) = (_sending, _pending);
                (_pendingFrames, _sendingFrames) = (_sendingFrames, _pendingFrames);
                _pendingFrameBytes = 0;
                sending = _sending;
                frames = _sendingFrames;
            }

            try
            {
                if (frames.Count == 0)
                {
                    await Inner.WriteAsync(sending.WrittenMemory, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await WriteInOrderAsync(sending.WrittenMemory, frames, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                // A failed write leaves nothing behind to be written again after it.
                frames.Clear();
                if (sending.Capacity > RetainedBufferBytes)
                {
                    _sending = new ArrayBufferWriter<byte>();
                }
                else
                {
                    sending.ResetWrittenCount();
                }
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    private async ValueTask WriteInOrderAsync(
        ReadOnlyMemory<byte> copied, List<(int CopiedEnd, ReadOnlyMemory<byte> Frame)> frames, CancellationToken cancellationToken)
    {
        var written = 0;
        foreach (var (copiedEnd, frame) in frames)
        {
            if (copiedEnd > written)
            {
                await Inner.WriteAsync(copied[written..copiedEnd], cancellationToken).ConfigureAwait(false);
                written = copiedEnd;
            }

            await Inner.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
        }

        if (copied.Length > written)
        {
            await Inner.WriteAsync(copied[written..], cancellationToken).ConfigureAwait(false);
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => Inner.Read(buffer, offset, count);

    // The WebSocket only writes asynchronously; a synchronous write would have to block on the async one.
    public override void Write(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("Write asynchronously.");

    public override void Flush()
    {
        // Held bytes are written by EndAsync or FlushAsync.
    }


    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _writing.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _writing.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
