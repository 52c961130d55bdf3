using System.Net.WebSockets;
using System.Threading.Channels;
using Grpc.Core;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Configuration;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Produce;

/// <summary>
/// Pumps one accepted /socket/in WebSocket through its bridge stream with four
/// loops: receive (frames to records, one ack slot per frame, in order),
/// forward (records to the bridge, batched), results (the bridge's answers,
/// read at all times so a failed bridge is noticed even while idle), and ack
/// (the socket's only sender: one frame per slot, in input order).
/// </summary>
internal sealed class ProducerSocketSession(
    WebSocket socket,
    IOutputBatching output,
    AsyncDuplexStreamingCall<ProduceRequest, ProduceResponse> call,
    ProduceFrameParser parser,
    SocketOptions options)
{
    // Set once the close frame is on its way: frames that still arrive could no
    // longer be acknowledged, so they are not produced either.
    private volatile bool _closing;

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
        using var stopAcks = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token, endRequest.Token);
        var acking = SendAcksAsync(slots.Reader, results.Reader, stopAcks.Token);

        SocketEnd end;
        try
        {
            end = await DecideEndAsync(receiving, acking, readingResults, slots.Writer, endRequest).ConfigureAwait(false);
            _closing = true;
            // Nobody reads slots any more; unblock a receive loop waiting for room.
            slots.Writer.TryComplete();
            if (end.Reason == SocketEndReason.ConnectionLost)
            {
                socket.Abort();
            }
            else
            {
                await SocketCloser.CloseAsync(socket, end.ToClose(options.MaxFrameBytes), receiving, options.CloseTimeout)
                    .ConfigureAwait(false);
            }
        }
        finally
        {
            await cancel.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(receiving, forwarding, readingResults, acking).ConfigureAwait(false);
        }

        return end;
    }

    private async Task<SocketEnd> DecideEndAsync(
        Task<SocketEnd> receiving, Task<SocketEnd> acking, Task<SocketEnd> readingResults, ChannelWriter<AckSlot> slots,
        SocketEndRequest endRequest)
    {
        var first = await Task.WhenAny(receiving, acking, readingResults).ConfigureAwait(false);
        if (first == readingResults && !endRequest.IsRequested)
        {
            // The bridge ended the stream (failed, or drained). Results it sent
            // before that are still acked: no new slots, then let the ack loop
            // send what it has until it reaches a record with no answer.
            slots.TryComplete();
            try
            {
                await acking.WaitAsync(options.DrainTimeout, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The client stopped reading; close anyway.
            }
        }

        if (first != receiving)
        {
            // Only failures end these before the client has closed: the bridge
            // stream failed or ended, the client is gone, or an end was requested.
            var failure = await first.ConfigureAwait(false);
            if (endRequest.IsRequested)
            {
                return SocketEnd.Of(endRequest.Reason);
            }

            if (failure.Reason != SocketEndReason.ClientClosed)
            {
                return failure;
            }

            // A loop that ended cleanly ran out of input: the receive loop has just
            // ended (it completes the channels before its own task completes), so its
            // reason decides. If it has not, the bridge ended the stream on its own.
            if (!await FinishesWithinAsync(receiving, options.CloseTimeout).ConfigureAwait(false))
            {
                return SocketEnd.Bridge(new RpcException(new Status(StatusCode.Unavailable, "The bridge ended the stream.")));
            }
        }

        var receiveEnd = await receiving.ConfigureAwait(false);
        if (receiveEnd.Reason == SocketEndReason.ConnectionLost)
        {
            return receiveEnd;
        }

        // The client closed (or overran the frame limit): send every ack still owed first.
        try
        {
            // An end request cancels the ack loop itself, so this wait ends then too.
            var drained = await acking.WaitAsync(options.DrainTimeout, CancellationToken.None).ConfigureAwait(false);
            if (endRequest.IsRequested)
            {
                return SocketEnd.Of(endRequest.Reason);
            }

            return drained.Reason == SocketEndReason.ClientClosed ? receiveEnd : drained;
        }
        catch (TimeoutException)
        {
            return SocketEnd.Of(SocketEndReason.DrainTimedOut);
        }
    }

    private static async Task<bool> FinishesWithinAsync(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private async Task<SocketEnd> ReceiveAsync(
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
                    return SocketEnd.Of(SocketEndReason.ClientClosed);
                }

                if (kind == ReceivedKind.TooLarge)
                {
                    return SocketEnd.Of(SocketEndReason.FrameTooLarge);
                }

                if (_closing)
                {
                    continue;
                }

                var record = Parse(kind, reader.Message, out var error);
                try
                {
                    await slots.WriteAsync(new AckSlot(error), cancellationToken).ConfigureAwait(false);
                }
                catch (ChannelClosedException)
                {
                    // Closing: the frame is dropped, since it could not be acknowledged.
                    continue;
                }

                if (record is not null)
                {
                    records.TryWrite(record);
                }
            }
        }
        catch (Exception e) when (InboundFrames.IsConnectionFailure(e) || e is OperationCanceledException)
        {
            return SocketEnd.Of(SocketEndReason.ConnectionLost);
        }
        finally
        {
            slots.TryComplete();
            records.TryComplete();
        }
    }

    private ProduceRecord? Parse(ReceivedKind kind, ReadOnlySpan<byte> frame, out FrameError? error)
    {
        error = InboundFrames.RejectUnreadable(kind, frame);
        return error is null ? parser.Parse(frame, out error) : null;
    }

    private async Task<SocketEnd> ForwardAsync(ChannelReader<ProduceRecord> records, CancellationToken cancellationToken)
    {
        try
        {
            while (await records.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var batch = new ProduceBatch();
                while (batch.Records.Count < options.MaxRecordsPerBridgeMessage && records.TryRead(out var record))
                {
                    batch.Records.Add(record);
                }

                using var span = Telemetry.EdgeTelemetry.StartProduceBatch(batch.Records.Count);
                await call.RequestStream.WriteAsync(new ProduceRequest { Batch = batch }, cancellationToken).ConfigureAwait(false);
            }

            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
            return SocketEnd.Of(SocketEndReason.ClientClosed);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException or InvalidOperationException)
        {
            // The ack loop reads the call's status and reports the failure.
            return SocketEnd.Of(SocketEndReason.BridgeFailed);
        }
    }

    private async Task<SocketEnd> ReadResultsAsync(ChannelWriter<ProduceResult> results, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            var responses = call.ResponseStream;
            while (await responses.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                if (responses.Current.KindCase != ProduceResponse.KindOneofCase.Results)
                {
                    throw new RpcException(new Status(StatusCode.Internal, "The bridge sent a message out of protocol."));
                }

                foreach (var result in responses.Current.Results.Results)
                {
                    results.TryWrite(result);
                }
            }

            return SocketEnd.Of(SocketEndReason.ClientClosed);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            failure = e;
            return SocketEnd.Bridge(e);
        }
        catch (Exception e) when (e is RpcException or OperationCanceledException)
        {
            failure = e;
            return SocketEnd.Of(SocketEndReason.ConnectionLost);
        }
        finally
        {
            results.TryComplete(failure);
        }
    }

    private async Task<SocketEnd> SendAcksAsync(
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
                    var frame = slot.LocalError is { } local
                        ? frames.Error(local)
                        : Render(frames, await NextResultAsync(results, output, cancellationToken).ConfigureAwait(false));
                    await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                }

                await output.EndAsync(cancellationToken).ConfigureAwait(false);
            }

            return SocketEnd.Of(SocketEndReason.ClientClosed);
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            return SocketEnd.Bridge(e);
        }
        catch (Exception e) when (InboundFrames.IsConnectionFailure(e) || e is OperationCanceledException or RpcException)
        {
            return SocketEnd.Of(SocketEndReason.ConnectionLost);
        }
    }

    /// <exception cref="RpcException">The bridge stream failed, or ended while acks were still owed.</exception>
    private static async ValueTask<ProduceResult> NextResultAsync(
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
            throw new RpcException(new Status(StatusCode.Internal, "The bridge ended the stream while acks were still owed."));
        }

        output.Begin();
        return result;
    }

    private static ReadOnlyMemory<byte> Render(AckFrameWriter frames, ProduceResult result) =>
        result.OutcomeCase == ProduceResult.OutcomeOneofCase.Position
            ? frames.Ack(result.Position, result.MessageId)
            : frames.Error(RecordErrors.ToFrameError(result.Error ?? new RecordError(), result.MessageId));
}
