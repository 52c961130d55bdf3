using System.Net.WebSockets;
using System.Threading.Channels;
using Grpc.Core;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Bridge;
using KafkaWsProxy.Edge.Configuration;
using KafkaWsProxy.Edge.Logging;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>
/// Pumps one accepted /socket/out WebSocket through its bridge stream with four
/// loops: receive (client commit frames), forward (commits to the bridge),
/// results (records and commit outcomes from the bridge), and send (the
/// socket's only sender: record frames, batched when asked, and error frames).
/// </summary>
/// <remarks>
/// The outbound queue is small and bounded: a client that reads slowly stops
/// the results loop, which stops reading the gRPC stream, whose flow control
/// stops the bridge, which pauses the Kafka partitions.
/// </remarks>
internal sealed class ConsumerSocketSession(
    WebSocket socket,
    IOutputBatching output,
    AsyncDuplexStreamingCall<ConsumeRequest, ConsumeResponse> call,
    ConsumerSocketSettings settings,
    SocketOptions options,
    ConsumeOpened? opened = null,
    ILogger? logger = null)
{
    private readonly string _topic = settings.Open.Topic;

    // Set once the socket is closing: records still arriving are not sent (nor
    // committed); the group delivers them again.
    private volatile bool _closing;

    private readonly PartitionOwnership _ownership = new();

    // autoCommit sockets only: what the sender wrote, committed by the commit loop.
    private readonly WrittenOffsets? _written = settings.AutoCommit ? new WrittenOffsets() : null;

    // The sender's: the newest record per partition of the frames of the current burst.
    private readonly Dictionary<int, RecordPosition> _burst = [];

    // Broadcast sockets only (docs/protocol.md §5.1): the sender's last offset per partition, and
    // the bridge's notice when the socket fell behind; read once the sender has stopped.
    private readonly Dictionary<int, long> _lastSent = [];
    private BroadcastFellBehind? _fellBehind;

    // Broadcast sockets only: records handed to the sender and not yet sent.
    private int _broadcastWaiting;

    private CancellationToken _connectionAborted;

    public async Task<SocketEnd> RunAsync(SocketEndRequest endRequest, CancellationToken connectionAborted)
    {
        _connectionAborted = connectionAborted;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(connectionAborted);
        using var stopSending = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
        // A broadcast socket's queue is bounded by its records (each item holds at least one).
        var capacity = settings.Broadcast ? options.BroadcastBufferedRecords + 1 : options.ConsumerSendQueue;
        var outbound = Channel.CreateBounded<OutboundItem>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
        });
        var commits = Channel.CreateUnbounded<CommitRequest>(new UnboundedChannelOptions { SingleReader = true });

        var receiving = ReceiveAsync(outbound.Writer, commits.Writer, cancel.Token);
        var forwarding = ForwardCommitsAsync(commits.Reader, cancel.Token);
        var readingResults = ReadResultsAsync(outbound.Writer, cancel.Token, stopSending.Token);
        var sending = SendAsync(outbound.Reader, stopSending.Token, cancel.Token);

        var close = SocketClose.Abort;
        var bridge = BridgeEnd.StillOpen;
        try
        {
            await Task.WhenAny(receiving, readingResults, sending, endRequest.Requested).ConfigureAwait(false);

            // Stop sending before the close frame goes out: nothing may follow it. Records not
            // sent are not committed either; the group delivers them again. The sender stops
            // between frames (cancelling a write would abort the WebSocket, and the client would
            // see a reset instead of the close); one stuck on a client that does not read is aborted.
            _closing = true;
            await stopSending.CancelAsync().ConfigureAwait(false);
            DeliveryOutcome delivery;
            try
            {
                delivery = await sending.WaitAsync(options.CloseTimeout, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                socket.Abort();
                delivery = await sending.ConfigureAwait(false);
            }

            bridge = readingResults.IsCompleted ? await readingResults.ConfigureAwait(false) : BridgeEnd.StillOpen;
            var client = receiving.IsCompleted ? await receiving.ConfigureAwait(false) : ClientOutcome.Open;
            var resumeAt = _fellBehind is null ? null : StartOffsets.Resume(_fellBehind, _lastSent, SocketCloseDecision.MaxResumeBytes);
            var outcomes = new SocketOutcomes(client, bridge.Outcome, delivery, endRequest.Reason, bridge.Error, resumeAt);
            close = SocketCloseDecision.Decide(outcomes, options.MaxFrameBytes);
            await SocketCloser.CloseAsync(socket, close, receiving, options.CloseTimeout).ConfigureAwait(false);
            return new SocketEnd(outcomes, close);
        }
        finally
        {
            commits.Writer.TryComplete();
            _written?.Complete();
            if (!close.IsAbort && bridge.Outcome == BridgeOutcome.Open)
            {
                await FinishStreamAsync(forwarding, readingResults).ConfigureAwait(false);
            }

            await cancel.CancelAsync().ConfigureAwait(false);
            outbound.Writer.TryComplete();
            await Task.WhenAll(receiving, forwarding, readingResults, sending).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Ends the bridge stream cleanly: commits still queued are forwarded, and the
    /// bridge closes its consumer (committing them, leaving the group) before the
    /// call ends, so the same client can reconnect at once and resume exactly there.
    /// </summary>
    private async Task FinishStreamAsync(Task forwarding, Task<BridgeEnd> readingResults)
    {
        try
        {
            await forwarding.WaitAsync(options.DrainTimeout).ConfigureAwait(false);
            await readingResults.WaitAsync(options.DrainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The bridge did not finish in time: the call is cancelled instead.
        }
    }

    private async Task<ClientOutcome> ReceiveAsync(
        ChannelWriter<OutboundItem> outbound, ChannelWriter<CommitRequest> commits, CancellationToken cancellationToken)
    {
        using var reader = new WebSocketMessageReader(socket, options.MaxFrameBytes);
        try
        {
            while (true)
            {
                var kind = await reader.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                switch (kind)
                {
                    case ReceivedKind.Close:
                        return ClientOutcome.Closed;
                    case ReceivedKind.TooLarge:
                        return ClientOutcome.FrameTooLarge;
                }

                var commit = InboundCommitFrames.Read(settings, kind, reader.Message, out var error);
                if (commit is not null)
                {
                    commits.TryWrite(commit);
                }
                else if (!outbound.TryWrite(new OutboundItem(null, error)))
                {
                    // A client that floods bad frames while not reading its socket: answered as it drains.
                    await outbound.WriteAsync(new OutboundItem(null, error), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (InboundFrames.IsConnectionFailure(e) || e is OperationCanceledException or ChannelClosedException)
        {
            return ClientOutcome.ConnectionLost;
        }
    }

    /// <summary>
    /// Forwards the client's commits at once; on an autoCommit socket, the edge's
    /// own commits of what it wrote, at most every <see cref="SocketOptions.AutoCommitInterval"/>
    /// (they are cumulative, so one message per interval carries them all).
    /// </summary>
    private async Task ForwardCommitsAsync(ChannelReader<CommitRequest> commits, CancellationToken cancellationToken)
    {
        try
        {
            if (_written is null)
            {
                await foreach (var commit in commits.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    await call.RequestStream.WriteAsync(new ConsumeRequest { Commit = commit }, cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                await ForwardWrittenAsync(_written, cancellationToken).ConfigureAwait(false);
            }

            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or InvalidOperationException)
        {
            // The results loop reads the call's status and reports the failure.
        }
    }

    private async Task ForwardWrittenAsync(WrittenOffsets written, CancellationToken cancellationToken)
    {
        while (await written.WaitForChangeAsync(cancellationToken).ConfigureAwait(false))
        {
            await SendCommitAsync(written.Take(), cancellationToken).ConfigureAwait(false);
            // Whatever is written meanwhile goes in the next commit.
            await Task.Delay(options.AutoCommitInterval, cancellationToken).ConfigureAwait(false);
        }

        await SendCommitAsync(written.Take(), cancellationToken).ConfigureAwait(false);
    }

    private async Task SendCommitAsync(CommitRequest? commit, CancellationToken cancellationToken)
    {
        if (commit is not null)
        {
            await call.RequestStream.WriteAsync(new ConsumeRequest { Commit = commit }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <param name="stopHanding">Cancelled when the sender stops: results are then read (so the
    /// call ends cleanly) but no longer handed on.</param>
    private async Task<BridgeEnd> ReadResultsAsync(
        ChannelWriter<OutboundItem> outbound, CancellationToken cancellationToken, CancellationToken stopHanding)
    {
        try
        {
            var responses = call.ResponseStream;
            while (await responses.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                var response = responses.Current;
                switch (response.KindCase)
                {
                    case ConsumeResponse.KindOneofCase.Records when !_closing && settings.Broadcast:
                        if (!TryHandOnBroadcast(outbound, response.Records.Records))
                        {
                            return new BridgeEnd(BridgeOutcome.FellBehind);
                        }

                        break;
                    case ConsumeResponse.KindOneofCase.Records when !_closing:
                        await HandOnAsync(outbound, response.Records.Records, stopHanding).ConfigureAwait(false);
                        break;
                    case ConsumeResponse.KindOneofCase.Revoked:
                        _ownership.Revoke(response.Revoked.Partitions);
                        break;
                    case ConsumeResponse.KindOneofCase.FellBehind:
                        // The bridge could not write to this stream fast enough (the edge is overloaded).
                        _fellBehind = response.FellBehind;
                        return new BridgeEnd(BridgeOutcome.FellBehind);
                    case ConsumeResponse.KindOneofCase.Draining:
                        // The bridge's consumer has left the group. Ending the call tells the
                        // bridge the notice arrived, so it can stop without waiting.
                        call.Dispose();
                        return new BridgeEnd(BridgeOutcome.Draining);
                    // Commits the edge made itself (autoCommit) carry no request id; their failures are not the client's.
                    case ConsumeResponse.KindOneofCase.CommitResult
                        when response.CommitResult.Failures.Count > 0 && response.CommitResult.RequestId.Length > 0 && !_closing:
                        var failure = response.CommitResult.Failures[0];
                        await HandOnAsync(
                            outbound, new OutboundItem(null, new FrameError(FrameErrorCodes.CommitFailed, failure.Message, response.CommitResult.RequestId)),
                            stopHanding).ConfigureAwait(false);
                        break;
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
    }

    /// <summary>
    /// A broadcast socket never makes the edge stop reading its bridge stream: a client that lets
    /// more than Sockets:BroadcastBufferedRecords records wait has fallen behind (docs/protocol.md §5.1).
    /// </summary>
    private bool TryHandOnBroadcast(ChannelWriter<OutboundItem> outbound, Google.Protobuf.Collections.RepeatedField<ConsumedRecord> records)
    {
        if (Interlocked.Add(ref _broadcastWaiting, records.Count) > options.BroadcastBufferedRecords
            || !outbound.TryWrite(new OutboundItem(records, null, _ownership.Stamp())))
        {
            _fellBehind = new BroadcastFellBehind { BufferedRecords = options.BroadcastBufferedRecords };
            _fellBehind.StartedAt.AddRange(opened?.StartedAt ?? []);
            if (logger is not null)
            {
                EdgeLog.BroadcastSocketFellBehind(logger, settings.Open.ClientId, _topic, options.BroadcastBufferedRecords);
            }

            return false;
        }

        return true;
    }

    private Task<bool> HandOnAsync(ChannelWriter<OutboundItem> outbound, IReadOnlyList<ConsumedRecord> records, CancellationToken stopHanding) =>
        HandOnAsync(outbound, new OutboundItem(records, null, _ownership.Stamp()), stopHanding);

    /// <summary>Waits for room in the send queue; false once the sender has stopped.</summary>
    private static async Task<bool> HandOnAsync(ChannelWriter<OutboundItem> outbound, OutboundItem item, CancellationToken stopHanding)
    {
        try
        {
            await outbound.WriteAsync(item, stopHanding).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            return false;
        }
    }

    /// <param name="stop">Stops the sender between frames (waits end at once).</param>
    /// <param name="cancellationToken">Cancels a write: only when the connection is given up.</param>
    /// <returns>Complete when stopped (a consumer is owed nothing: what it was not sent is delivered again).</returns>
    private async Task<DeliveryOutcome> SendAsync(ChannelReader<OutboundItem> outbound, CancellationToken stop, CancellationToken cancellationToken)
    {
        using var frames = new RecordFrameWriter(settings.Open.KeyFormat, settings.Open.ValueFormat);
        var batch = new List<ConsumedRecord>(Math.Max(settings.BatchSize, 1));
        try
        {
            while (await outbound.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                // The frames ready now go out in one write; the burst ends before any wait.
                output.Begin();
                while (!stop.IsCancellationRequested && outbound.TryRead(out var item))
                {
                    if (item.Error is { } error)
                    {
                        await SendFrameAsync(frames.Error(error.Code, error.Message, error.MessageId), cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    if (settings.Broadcast)
                    {
                        Interlocked.Add(ref _broadcastWaiting, -item.Records!.Count);
                    }

                    foreach (var record in item.Records!)
                    {
                        if (stop.IsCancellationRequested)
                        {
                            // Not sent, so neither written nor committed: the group delivers it again.
                            break;
                        }

                        if (!_ownership.IsCurrent(record.Position.Partition, item.Stamp))
                        {
                            // Its partition was rebalanced away while it waited: the new owner delivers it.
                            continue;
                        }

                        batch.Add(record);
                        if (settings.BatchSize == 0 || batch.Count == settings.BatchSize)
                        {
                            await SendRecordsAsync(frames, batch, cancellationToken).ConfigureAwait(false);
                        }
                    }
                }

                await EndBurstAsync(cancellationToken).ConfigureAwait(false);
                if (batch.Count > 0 && !await BatchLinger.MoreWithinAsync(outbound, options.BatchLinger, stop).ConfigureAwait(false))
                {
                    output.Begin();
                    await SendRecordsAsync(frames, batch, cancellationToken).ConfigureAwait(false);
                    await EndBurstAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            return DeliveryOutcome.Complete;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !_connectionAborted.IsCancellationRequested)
        {
            return DeliveryOutcome.Complete;
        }
        catch (Exception e) when (InboundFrames.IsConnectionFailure(e) || e is OperationCanceledException)
        {
            return DeliveryOutcome.ConnectionLost;
        }
    }

    private async Task SendRecordsAsync(RecordFrameWriter frames, List<ConsumedRecord> batch, CancellationToken cancellationToken)
    {
        var frame = settings.BatchSize == 0 ? frames.Single(batch[0]) : frames.Batch(batch);
        await SendFrameAsync(frame, cancellationToken).ConfigureAwait(false);
        foreach (var record in batch)
        {
            _burst[record.Position.Partition] = record.Position;
            if (settings.Broadcast)
            {
                _lastSent[record.Position.Partition] = record.Position.Offset;
            }
        }

        batch.Clear();
    }

    /// <summary>Writes the burst's frames; on an autoCommit socket, its records count as written only now.</summary>
    private async Task EndBurstAsync(CancellationToken cancellationToken)
    {
        await output.EndAsync(cancellationToken).ConfigureAwait(false);
        if (_written is not null && _burst.Count > 0)
        {
            _written.Written(_burst.Values);
        }

        _burst.Clear();
    }

    private ValueTask SendFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
        socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
}
