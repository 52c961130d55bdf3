using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text;

namespace KafkaWsProxy.Edge.Telemetry;

/// <summary>
/// Counts what passes through an accepted proxy socket: messages and bytes each way,
/// error frames by code, and, on /socket/in, how long each frame waited for its answer.
/// Wrapped around the socket once by the endpoint, so the sessions know nothing of it.
/// </summary>
/// <remarks>
/// On /socket/in every text or binary frame received gets exactly one answer, an ack or
/// an error frame, in input order (docs/protocol.md §4): the n-th frame sent answers the
/// n-th frame received, which is what the ack latency pairs. Error frames are told by
/// their shape, {"error":{"code":"...", as both frame writers render them (docs/protocol.md §4, §5).
/// </remarks>
internal sealed class MeteredWebSocket(WebSocket inner, EdgeMetrics metrics, string path, bool answersEveryFrame) : WebSocket
{
    private static readonly byte[] s_errorFramePrefix = "{\"error\":{\"code\":\""u8.ToArray();

    private readonly KeyValuePair<string, object?> _endpoint = EdgeMetrics.Endpoint(path);
    private readonly FrameTotals _frames = metrics.FramesOf(path);

    // When each frame still owed an answer was received (Stopwatch timestamps), oldest first.
    private readonly ConcurrentQueue<long>? _unanswered = answersEveryFrame ? new() : null;

    public override WebSocketCloseStatus? CloseStatus => inner.CloseStatus;

    public override string? CloseStatusDescription => inner.CloseStatusDescription;

    public override WebSocketState State => inner.State;

    public override string? SubProtocol => inner.SubProtocol;

    public override void Abort() => inner.Abort();

    public override void Dispose() => inner.Dispose();

    public override Task CloseAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        inner.CloseAsync(closeStatus, statusDescription, cancellationToken);

    public override Task CloseOutputAsync(WebSocketCloseStatus closeStatus, string? statusDescription, CancellationToken cancellationToken) =>
        inner.CloseOutputAsync(closeStatus, statusDescription, cancellationToken);

    public override async Task<WebSocketReceiveResult> ReceiveAsync(ArraySegment<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await inner.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
        Received(result.MessageType, result.Count, result.EndOfMessage);
        return result;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<ValueWebSocketReceiveResult> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await inner.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
        Received(result.MessageType, result.Count, result.EndOfMessage);
        return result;
    }

    public override async Task SendAsync(
        ArraySegment<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        await inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken).ConfigureAwait(false);
        Sent(buffer, endOfMessage);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask SendAsync(
        ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, bool endOfMessage, CancellationToken cancellationToken)
    {
        await inner.SendAsync(buffer, messageType, endOfMessage, cancellationToken).ConfigureAwait(false);
        Sent(buffer.Span, endOfMessage);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask SendAsync(
        ReadOnlyMemory<byte> buffer, WebSocketMessageType messageType, WebSocketMessageFlags messageFlags, CancellationToken cancellationToken)
    {
        await inner.SendAsync(buffer, messageType, messageFlags, cancellationToken).ConfigureAwait(false);
        Sent(buffer.Span, messageFlags.HasFlag(WebSocketMessageFlags.EndOfMessage));
    }

    /// <summary>Counts a message whose frame the session wrote to the connection itself, built once for many sockets.</summary>
    public void CountSentAround(ReadOnlySpan<byte> payload) => Sent(payload, endOfMessage: true);

    private void Received(WebSocketMessageType type, int bytes, bool endOfMessage)
    {
        if (type == WebSocketMessageType.Close)
        {
            return;
        }

        _frames.Received(bytes, endOfMessage);
        if (endOfMessage)
        {
            _unanswered?.Enqueue(Stopwatch.GetTimestamp());
        }
    }

    private void Sent(ReadOnlySpan<byte> frame, bool endOfMessage)
    {
        _frames.Sent(frame.Length, endOfMessage);
        if (frame.StartsWith(s_errorFramePrefix))
        {
            metrics.ErrorFrameSent(_endpoint, ErrorCodeOf(frame[s_errorFramePrefix.Length..]));
        }

        if (endOfMessage && _unanswered is not null && _unanswered.TryDequeue(out var received))
        {
            metrics.AckWritten(Stopwatch.GetElapsedTime(received));
        }
    }

    // Codes are a small fixed set (docs/protocol.md §4): the strings are kept, not made per frame.
    private static readonly ConcurrentDictionary<string, string> s_codes = new(StringComparer.Ordinal);

    private static string ErrorCodeOf(ReadOnlySpan<byte> rest)
    {
        var end = rest.IndexOf((byte)'"');
        if (end <= 0 || end > 64)
        {
            return "other";
        }

        var code = Encoding.UTF8.GetString(rest[..end]);
        return s_codes.Count < 64 ? s_codes.GetOrAdd(code, code) : s_codes.GetValueOrDefault(code, "other");
    }
}
