using System.Threading.Channels;
using Grpc.Core;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Bridge;
using KafkaWsProxy.Edge.Configuration;
using KafkaWsProxy.Edge.Logging;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>
/// One bridge broadcast stream shared by every broadcast socket of this edge with the same
/// <see cref="BroadcastFanOutKey"/> (docs/protocol.md §5.1). Each record, or batch of records,
/// is rendered to its JSON frame once, and the same bytes are queued for every socket; a socket
/// whose queue is full is dropped (it fell behind), never waited for.
/// </summary>
/// <remarks>
/// The edge reads the bridge stream as it arrives, whatever the renderer's pace: with thousands
/// of sockets the renderer's turns on the thread pool come late, and a stream read only at that
/// pace would be dropped by the bridge. What was read waits for the renderer, up to
/// Sockets:BroadcastBufferedRecords records; past that the stream has fallen behind, as when the
/// bridge drops it, and every socket on it is closed with 4000 and the offsets of its own position.
/// </remarks>
internal sealed class BroadcastFanOut : IDisposable
{
    private readonly BroadcastFanOutKey _key;
    private readonly ConsumeOpen _open;
    private readonly BridgeStreamOpener _bridge;
    private readonly SocketOptions _options;
    private readonly ILogger _logger;
    private readonly Action<BroadcastFanOut> _ended;
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly Lock _gate = new();

    // Guarded by the gate: the next offset of each partition (what a socket joining now starts at),
    // the sockets sharing the stream, and whether it has ended (no one may join any more).
    private readonly Dictionary<int, long> _next = [];
    private BroadcastShare[] _shares = [];
    private bool _over;
    private bool _disposed;

    // Records read from the bridge that the renderer has not taken yet.
    private int _readAhead;

    public BroadcastFanOut(
        BroadcastFanOutKey key, ConsumeOpen open, BridgeStreamOpener bridge, SocketOptions options, ILogger logger, Action<BroadcastFanOut> ended)
    {
        _key = key;
        _open = open;
        _bridge = bridge;
        _options = options;
        _logger = logger;
        _ended = ended;
    }

    public BroadcastFanOutKey Key => _key;

    /// <summary>Completes once the bridge opened the stream; faults with the bridge's refusal (<see cref="RpcException"/>).</summary>
    public Task Opened => _opened.Task;

    /// <summary>Guarded by <see cref="BroadcastFanOuts"/>' gate: sockets joining or sharing it.</summary>
    public int References { get; set; }

    public void Start() => _ = Task.Run(RunAsync, CancellationToken.None);

    /// <summary>Closes the bridge stream (its last socket left).</summary>
    public void Stop()
    {
        lock (_gate)
        {
            _over = true;
            if (!_disposed)
            {
                _lifetime.Cancel();
            }
        }
    }

    /// <summary>Called by the stream's own loop once it has ended.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _lifetime.Dispose();
        }
    }

    /// <summary>Adds a socket at the live end of the stream; null when the stream has already ended.</summary>
    public BroadcastShare? TryJoin(string clientId, Action<BroadcastShare> leave)
    {
        lock (_gate)
        {
            if (_over)
            {
                return null;
            }

            var share = new BroadcastShare(clientId, new Dictionary<int, long>(_next), _options.BroadcastBufferedRecords, leave);
            _shares = [.. _shares, share];
            return share;
        }
    }

    public void Leave(BroadcastShare share)
    {
        lock (_gate)
        {
            _shares = Array.FindAll(_shares, s => !ReferenceEquals(s, share));
        }
    }

    private async Task RunAsync()
    {
        var end = BridgeEnd.StillOpen;
        try
        {
            OpenedStream<ConsumeRequest, ConsumeResponse> stream;
            try
            {
                stream = await _bridge.OpenConsumeAsync(_open, _lifetime.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                _opened.TrySetException(e as RpcException ?? new RpcException(new Status(StatusCode.Cancelled, "The broadcast stream was not opened.")));
                return;
            }

            using (stream)
            {
                lock (_gate)
                {
                    foreach (var start in stream.Opened.Opened.StartedAt)
                    {
                        _next[start.Partition] = start.Offset;
                    }
                }

                EdgeLog.BroadcastStreamOpened(_logger, _key.Topic, _key.BatchSize);
                _opened.TrySetResult();
                end = await PumpAsync(stream.Call).ConfigureAwait(false);
            }
        }
        finally
        {
            BroadcastShare[] shares;
            lock (_gate)
            {
                _over = true;
                shares = _shares;
                _shares = [];
            }

            _ended(this);
            foreach (var share in shares)
            {
                share.End(end);
            }

            if (_opened.Task.IsCompletedSuccessfully && _logger.IsEnabled(LogLevel.Information))
            {
#pragma warning disable CA1873 // checked above
                EdgeLog.BroadcastStreamClosed(_logger, _key.Topic, end.Outcome.ToString());
#pragma warning restore CA1873
            }

            Dispose();
        }
    }

    /// <summary>Reads the bridge stream while rendering and fanning out what was read; ends with how the stream ended.</summary>
    private async Task<BridgeEnd> PumpAsync(AsyncDuplexStreamingCall<ConsumeRequest, ConsumeResponse> call)
    {
        var batches = Channel.CreateUnbounded<IReadOnlyList<ConsumedRecord>>(new UnboundedChannelOptions
        {
            SingleReader = true,
            SingleWriter = true,
        });
        var reading = ReadAsync(call, batches.Writer, _lifetime.Token);
        var rendering = RenderAsync(batches.Reader);
        var end = await reading.ConfigureAwait(false);
        // What was read before the end still reaches the sockets (a socket resumes after what it was sent).
        await rendering.ConfigureAwait(false);
        return end;
    }

    private async Task<BridgeEnd> ReadAsync(
        AsyncDuplexStreamingCall<ConsumeRequest, ConsumeResponse> call, ChannelWriter<IReadOnlyList<ConsumedRecord>> batches,
        CancellationToken cancellationToken)
    {
        try
        {
            var responses = call.ResponseStream;
            while (await responses.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                var response = responses.Current;
                switch (response.KindCase)
                {
                    case ConsumeResponse.KindOneofCase.Records:
                        var records = response.Records.Records;
                        if (Interlocked.Add(ref _readAhead, records.Count) > _options.BroadcastBufferedRecords)
                        {
                            // The renderer is that far behind what the bridge sent: this edge cannot keep up with the topic.
                            return new BridgeEnd(BridgeOutcome.FellBehind);
                        }

                        batches.TryWrite(records);
                        break;
                    case ConsumeResponse.KindOneofCase.FellBehind:
                        // This edge read the shared stream slower than the topic is written.
                        return new BridgeEnd(BridgeOutcome.FellBehind);
                    case ConsumeResponse.KindOneofCase.Draining:
                        call.Dispose();
                        return new BridgeEnd(BridgeOutcome.Draining);
                }
            }

            return new BridgeEnd(BridgeOutcome.Ended);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new BridgeEnd(BridgeStatusMapping.IsDraining(e) ? BridgeOutcome.Draining : BridgeOutcome.Failed, e);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or ChannelClosedException)
        {
            return BridgeEnd.StillOpen;
        }
        finally
        {
            batches.TryComplete();
        }
    }

    /// <summary>Renders frames of the socket's shape (one record, or batchSize records) once, and hands them to every socket.</summary>
    private async Task RenderAsync(ChannelReader<IReadOnlyList<ConsumedRecord>> batches)
    {
        using var frames = new RecordFrameWriter(_key.KeyFormat, _key.ValueFormat);
        var batch = new List<ConsumedRecord>(Math.Max(_key.BatchSize, 1));
        while (await batches.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (batches.TryRead(out var records))
            {
                Interlocked.Add(ref _readAhead, -records.Count);
                foreach (var record in records)
                {
                    batch.Add(record);
                    if (_key.BatchSize == 0 || batch.Count == _key.BatchSize)
                    {
                        Dispatch(Render(frames, batch));
                    }
                }
            }

            if (batch.Count > 0 && !await BatchLinger.MoreWithinAsync(batches, _options.BatchLinger, CancellationToken.None).ConfigureAwait(false))
            {
                Dispatch(Render(frames, batch));
            }
        }

        if (batch.Count > 0)
        {
            Dispatch(Render(frames, batch));
        }
    }

    private BroadcastFrame Render(RecordFrameWriter frames, List<ConsumedRecord> batch)
    {
        // The writer's buffer is reused: the frame keeps a copy, framed once, that every socket's queue shares.
        var payload = _key.BatchSize == 0 ? frames.Single(batch[0]) : frames.Batch(batch);
        var frame = BroadcastFrame.Of(payload.Span, batch.Count, LastOffsets(batch));
        batch.Clear();
        return frame;
    }

    /// <summary>The newest offset of each partition in the batch: read newest first, a partition's first record seen is its last.</summary>
    private static (int Partition, long Offset)[] LastOffsets(List<ConsumedRecord> batch)
    {
        if (batch.Count == 1)
        {
            return [(batch[0].Position.Partition, batch[0].Position.Offset)];
        }

        var last = new List<(int Partition, long Offset)>();
        for (var i = batch.Count - 1; i >= 0; i--)
        {
            var position = batch[i].Position;
            if (!Seen(last, position.Partition))
            {
                last.Add((position.Partition, position.Offset));
            }
        }

        return [.. last];

        static bool Seen(List<(int Partition, long Offset)> last, int partition)
        {
            foreach (var (seen, _) in last)
            {
                if (seen == partition)
                {
                    return true;
                }
            }

            return false;
        }
    }

    private void Dispatch(BroadcastFrame frame)
    {
        BroadcastShare[] shares;
        lock (_gate)
        {
            foreach (var (partition, offset) in frame.LastOffsets)
            {
                _next[partition] = offset + 1;
            }

            shares = _shares;
        }

        List<BroadcastShare>? behind = null;
        foreach (var share in shares)
        {
            if (!share.Offer(frame))
            {
                (behind ??= []).Add(share);
            }
        }

        if (behind is null)
        {
            return;
        }

        lock (_gate)
        {
            _shares = Array.FindAll(_shares, s => !behind.Contains(s));
        }

        foreach (var share in behind)
        {
            EdgeLog.BroadcastSocketFellBehind(_logger, share.ClientId, _key.Topic, share.BufferedRecords);
        }
    }
}
