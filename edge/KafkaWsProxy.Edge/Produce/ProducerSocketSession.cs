using System.Net.WebSockets;
using System.Threading.Channels;
using Grpc.Core;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Bridge;
using KafkaWsProxy.Edge.Configuration;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Produce;

/// <summary>
/// Pumps one accepted /socket/in WebSocket through its bridge stream with four
/// loops: receive (frames to records, one ack slot per frame, in order),
/// forward (records to the bridge, batched), results (the bridge's answers,
/// read at all times so a failed bridge is noticed even while idle), and ack
/// (the socket's only sender: one frame per slot, in input order). Each loop
/// reports a named outcome; <see cref="SocketCloseDecision"/> turns them into the close.
/// </summary>
/// <remarks>
/// Whatever ends first (the client closes, the bridge fails or drains, the edge
/// stops), the intake stops: no frame is taken any more, the records taken are
/// forwarded and the bridge's half of the call is ended, and every ack owed is
/// still sent (within Sockets:DrainTimeout) before the close frame.
/// </remarks>
internal sealed class ProducerSocketSession(
    WebSocket socket,
    IOutputBatching output,
    AsyncDuplexStreamingCall<ProduceRequest, ProduceResponse> call,
    ProduceFrameParser parser,
    SocketOptions options,
    BridgeMessageBudget budget)
{
    // Taking a frame (its slot and its record) and stopping the intake exclude each
    // other, so no slot is ever left without its record.
    private readonly Lock _intakeGate = new();
    private bool _intakeStopped;

    public async Task<SocketEnd> RunAsync(SocketEndRequest endRequest, CancellationToken connectionAborted)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(connectionAborted);
        var slots = Channel.CreateBounded<AckSlot>(new BoundedChannelOptions(options.MaxInFlightPerSocket)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        // Unbounded, but never holds more than the slots channel admits.
        var records = Channel.CreateUnbounded<ProduceRecord>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

        // Unbounded, but the bridge never answers more records than were sent.
        var results = Channel.CreateUnbounded<ProduceResult>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

        var receiving = ReceiveAsync(slots.Writer, records.Writer, cancel.Token);
        var forwarding = ForwardAsync(records.Reader, cancel.Token);
        var readingResults = ReadResultsAsync(results.Writer, cancel.Token);
        var acking = SendAcksAsync(slots.Reader, results.Reader, cancel.Token);

        try
        {
            await Task.WhenAny(receiving, readingResults, acking, endRequest.Requested).ConfigureAwait(false);
            StopIntake(slots.Writer, records.Writer);
            var delivery = receiving.IsCompleted && await receiving.ConfigureAwait(false) == ClientOutcome.ConnectionLost
                ? DeliveryOutcome.ConnectionLost
                : await DeliverOwedAsync(acking).ConfigureAwait(false);

            // An ack loop that found no answer was woken by the results loop's end, which is settling now.
            var bridge = readingResults.IsCompleted || delivery == DeliveryOutcome.Unanswered
                ? await readingResults.ConfigureAwait(false)
                : BridgeEnd.StillOpen;
            var client = receiving.IsCompleted ? await receiving.ConfigureAwait(false) : ClientOutcome.Open;
            var outcomes = new SocketOutcomes(client, bridge.Outcome, delivery, endRequest.Reason, bridge.Error);
            var close = SocketCloseDecision.Decide(outcomes, options.MaxFrameBytes);
            await SocketCloser.CloseAsync(socket, close, receiving, options.CloseTimeout).ConfigureAwait(false);
            return new SocketEnd(outcomes, close);
        }
        finally
        {
            await cancel.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(receiving, forwarding, readingResults, acking).ConfigureAwait(false);
        }
    }

    /// <summary>No frame is taken any more: the records taken are forwarded, then the request stream is completed.</summary>
    private void StopIntake(ChannelWriter<AckSlot> slots, ChannelWriter<ProduceRecord> records)
    {
        lock (_intakeGate)
        {
            _intakeStopped = true;
            slots.TryComplete();
            records.TryComplete();
        }
    }

    /// <summary>Waits for the ack loop to send every ack owed, within Sockets:DrainTimeout.</summary>
    private async Task<DeliveryOutcome> DeliverOwedAsync(Task<DeliveryOutcome> acking)
    {
        try
        {
            return await acking.WaitAsync(options.DrainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return DeliveryOutcome.TimedOut;
        }
    }

    private async Task<ClientOutcome> ReceiveAsync(
        ChannelWriter<AckSlot> slots,
        ChannelWriter<ProduceRecord> records,
        CancellationToken cancellationToken)
    {
        using var reader = new WebSocketMessageReader(socket, options.MaxFrameBytes);
        try
        {
            while (true)
            {
                var kind = await reader.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                if (kind == ReceivedKind.Close)
                {
                    return ClientOutcome.Closed;
                }

                if (kind == ReceivedKind.TooLarge)
                {
                    return ClientOutcome.FrameTooLarge;
                }

                // Once the intake has stopped, a frame could no longer be acknowledged, so it is not produced either.
                if (Volatile.Read(ref _intakeStopped) || !await slots.WaitToWriteAsync(cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                var record = Parse(kind, reader.Message, out var error);
                lock (_intakeGate)
                {
                    // The only writer: the room WaitToWriteAsync saw is still there, unless the intake stopped.
                    if (!_intakeStopped && slots.TryWrite(new AckSlot(error)) && record is not null)
                    {
                        records.TryWrite(record);
                    }
                }
            }
        }
        catch (Exception e) when (InboundFrames.IsConnectionFailure(e) || e is OperationCanceledException)
        {
            return ClientOutcome.ConnectionLost;
        }
        finally
        {
            StopIntake(slots, records);
        }
    }

    private ProduceRecord? Parse(ReceivedKind kind, ReadOnlySpan<byte> frame, out FrameError? error)
    {
        error = InboundFrames.RejectUnreadable(kind, frame);
        var record = error is null ? parser.Parse(frame, out error) : null;
        error ??= record is null ? null : budget.RejectOversized(record);
        return error is null ? record : null;
    }

    private async Task ForwardAsync(ChannelReader<ProduceRecord> records, CancellationToken cancellationToken)
    {
        try
        {
            // A record read that did not fit the previous batch opens the next one.
            ProduceRecord? carried = null;
            while (carried is not null || await records.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var batch = new ProduceBatch();
                var batchBytes = 0;
                while (batch.Records.Count < options.MaxRecordsPerBridgeMessage && (carried is not null || records.TryRead(out carried)))
                {
                    // Bounded by bytes as well as records: the message stays under Bridge:MaxMessageBytes.
                    var size = BridgeMessageBudget.SizeInBatch(carried);
                    if (batch.Records.Count > 0 && batchBytes + size > budget.MaxBatchBytes)
                    {
                        break;
                    }

                    batch.Records.Add(carried);
                    batchBytes += size;
                    carried = null;
                }

                using var span = Telemetry.EdgeTelemetry.StartProduceBatch(batch.Records.Count);
                await call.RequestStream.WriteAsync(new ProduceRequest { Batch = batch }, cancellationToken).ConfigureAwait(false);
            }

            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or InvalidOperationException)
        {
            // The results loop reads the call's status and reports the failure.
        }
    }

    private async Task<BridgeEnd> ReadResultsAsync(ChannelWriter<ProduceResult> results, CancellationToken cancellationToken)
    {
        try
        {
            var responses = call.ResponseStream;
            while (await responses.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                switch (responses.Current.KindCase)
                {
                    case ProduceResponse.KindOneofCase.Results:
                        foreach (var result in responses.Current.Results.Results)
                        {
                            results.TryWrite(result);
                        }

                        break;
                    case ProduceResponse.KindOneofCase.Draining:
                        // Every record the bridge took was answered above. Ending the call tells
                        // the bridge the notice arrived, so it can stop without waiting.
                        call.Dispose();
                        return new BridgeEnd(BridgeOutcome.Draining);
                    default:
                        throw new RpcException(new Status(StatusCode.Internal, "The bridge sent a message out of protocol."));
                }
            }

            return new BridgeEnd(BridgeOutcome.Ended);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new BridgeEnd(BridgeStatusMapping.IsDraining(e) ? BridgeOutcome.Draining : BridgeOutcome.Failed, e);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException)
        {
            return BridgeEnd.StillOpen;
        }
        finally
        {
            results.TryComplete();
        }
    }

    private async Task<DeliveryOutcome> SendAcksAsync(
        ChannelReader<AckSlot> slots, ChannelReader<ProduceResult> results, CancellationToken cancellationToken)
    {
        using var frames = new AckFrameWriter();
        try
        {
            while (await slots.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                // The acks ready now go out in one write; the burst ends before any wait.
                output.Begin();
                while (slots.TryRead(out var slot))
                {
                    ReadOnlyMemory<byte> frame;
                    if (slot.LocalError is { } local)
                    {
                        frame = frames.Error(local);
                    }
                    else if (await NextResultAsync(results, output, cancellationToken).ConfigureAwait(false) is { } result)
                    {
                        frame = Render(frames, result);
                    }
                    else
                    {
                        await output.EndAsync(cancellationToken).ConfigureAwait(false);
                        return DeliveryOutcome.Unanswered;
                    }

                    await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                }

                await output.EndAsync(cancellationToken).ConfigureAwait(false);
            }

            return DeliveryOutcome.Complete;
        }
        catch (Exception e) when (InboundFrames.IsConnectionFailure(e) || e is OperationCanceledException)
        {
            // Cancelled: the session is over and its drain wait has already decided.
            return DeliveryOutcome.ConnectionLost;
        }
    }

    /// <summary>The next record's answer; null when the bridge stream ended without one.</summary>
    private static async ValueTask<ProduceResult?> NextResultAsync(
        ChannelReader<ProduceResult> results, IOutputBatching output, CancellationToken cancellationToken)
    {
        if (results.TryRead(out var ready))
        {
            return ready;
        }

        // The acks held so far must not wait for this one.
        await output.EndAsync(cancellationToken).ConfigureAwait(false);
        if (!await results.WaitToReadAsync(cancellationToken).ConfigureAwait(false) || !results.TryRead(out var result))
        {
            return null;
        }

        output.Begin();
        return result;
    }

    private static ReadOnlyMemory<byte> Render(AckFrameWriter frames, ProduceResult result) =>
        result.OutcomeCase == ProduceResult.OutcomeOneofCase.Position
            ? frames.Ack(result.Position, result.MessageId)
            : frames.Error(RecordErrors.ToFrameError(result.Error ?? new RecordError(), result.MessageId));
}
