using System.Net.WebSockets;
using KafkaWsProxy.Edge.Configuration;
using KafkaWsProxy.Edge.Sockets;
using KafkaWsProxy.Edge.Telemetry;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>
/// Pumps one broadcast /socket/out WebSocket that shares its edge's bridge stream
/// (docs/protocol.md §5.1) with two loops: receive (the client's frames: a broadcast socket
/// commits nothing, so each gets an error frame) and send (the socket's only sender: the frames
/// rendered once for every socket of the stream, and error frames).
/// </summary>
internal sealed class SharedBroadcastSession(
    WebSocket socket,
    IOutputBatching output,
    BroadcastShare share,
    ConsumerSocketSettings settings,
    SocketOptions options)
{
    // The sender's: the last offset it sent of each partition, read once it has stopped.
    private readonly Dictionary<int, long> _lastSent = [];

    private CancellationToken _connectionAborted;

    public async Task<SocketEnd> RunAsync(SocketEndRequest endRequest, CancellationToken connectionAborted)
    {
        _connectionAborted = connectionAborted;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(connectionAborted);
        using var stopSending = CancellationTokenSource.CreateLinkedTokenSource(cancel.Token);
        var receiving = ReceiveAsync(cancel.Token);
        var sending = SendAsync(stopSending.Token, cancel.Token);
        try
        {
            await Task.WhenAny(receiving, sending, share.Ended, endRequest.Requested).ConfigureAwait(false);

            // Frames still queued are not sent: nothing may follow the close frame, and the resume
            // offsets name the first record the socket was not sent (see ConsumerSocketSession).
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

            var bridge = share.Ended.IsCompleted ? await share.Ended.ConfigureAwait(false) : BridgeEnd.StillOpen;
            var client = receiving.IsCompleted ? await receiving.ConfigureAwait(false) : ClientOutcome.Open;
            var resumeAt = bridge.Outcome == BridgeOutcome.FellBehind
                ? StartOffsets.Resume(share.StartedAt, _lastSent, SocketCloseDecision.MaxResumeBytes)
                : null;
            var outcomes = new SocketOutcomes(client, bridge.Outcome, delivery, endRequest.Reason, bridge.Error, resumeAt);
            var close = SocketCloseDecision.Decide(outcomes, options.MaxFrameBytes);
            await SocketCloser.CloseAsync(socket, close, receiving, options.CloseTimeout).ConfigureAwait(false);
            return new SocketEnd(outcomes, close);
        }
        finally
        {
            await cancel.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(receiving, sending).ConfigureAwait(false);
        }
    }

    private async Task<ClientOutcome> ReceiveAsync(CancellationToken cancellationToken)
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

                // A broadcast socket commits nothing (docs/protocol.md §5.1): every frame is answered with an error.
                InboundCommitFrames.Read(settings, kind, reader.Message, out var error);
                await share.WriteErrorAsync(error!, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (InboundFrames.IsConnectionFailure(e) || e is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
            return ClientOutcome.ConnectionLost;
        }
    }

    /// <param name="stop">Stops the sender between frames (waits end at once).</param>
    /// <param name="cancellationToken">Cancels a write: only when the connection is given up.</param>
    private async Task<DeliveryOutcome> SendAsync(CancellationToken stop, CancellationToken cancellationToken)
    {
        var outbound = share.Outbound;
        RecordFrameWriter? errors = null;
        try
        {
            while (await outbound.WaitToReadAsync(stop).ConfigureAwait(false))
            {
                // The frames ready now go out in one write.
                output.Begin();
                while (!stop.IsCancellationRequested && outbound.TryRead(out var item))
                {
                    if (item.Error is { } error)
                    {
                        errors ??= new RecordFrameWriter(settings.Open.KeyFormat, settings.Open.ValueFormat);
                        await SendFrameAsync(errors.Error(error.Code, error.Message, error.MessageId), cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    var frame = item.Frame!;
                    share.Taken(frame);
                    await SendRecordFrameAsync(frame, cancellationToken).ConfigureAwait(false);
                    foreach (var (partition, offset) in frame.LastOffsets)
                    {
                        _lastSent[partition] = offset;
                    }
                }

                await output.EndAsync(cancellationToken).ConfigureAwait(false);
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
        finally
        {
            errors?.Dispose();
        }
    }

    private ValueTask SendFrameAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
        socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    /// <summary>
    /// Writes the frame built once for every socket of the stream as it is, where the connection
    /// takes whole frames (HTTP/1.1); otherwise the WebSocket frames its payload.
    /// </summary>
    private async ValueTask SendRecordFrameAsync(BroadcastFrame frame, CancellationToken cancellationToken)
    {
        if (output is not IWholeFrameOutput wholeFrames)
        {
            await SendFrameAsync(frame.Payload, cancellationToken).ConfigureAwait(false);
            return;
        }

        // What the WebSocket itself would refuse: a data frame after its close frame, or on an aborted connection.
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            throw new WebSocketException(WebSocketError.InvalidState);
        }

        await wholeFrames.WriteWholeFrameAsync(frame.WholeFrame, cancellationToken).ConfigureAwait(false);
        (socket as MeteredWebSocket)?.CountSentAround(frame.Payload.Span);
    }
}
