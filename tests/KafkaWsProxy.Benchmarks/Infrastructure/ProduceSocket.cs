using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;

namespace KafkaWsProxy.Benchmarks.Infrastructure;

/// <summary>
/// One /socket/in client: sends frames with at most a given number unacknowledged
/// and records each ack's latency (acks come in input order, so a FIFO of send
/// times matches them).
/// </summary>
internal sealed class ProduceSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim _inFlight;
    private readonly ConcurrentQueue<long> _sent = new();
    private readonly LatencyRecorder _latency;
    private readonly Task _receiving;
    private readonly CancellationTokenSource _stop = new();
    private long _acked;
    private long _expected = long.MaxValue;
    private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ProduceSocket(ClientWebSocket socket, int inFlight, LatencyRecorder latency)
    {
        _socket = socket;
        _inFlight = new SemaphoreSlim(inFlight, inFlight);
        _latency = latency;
        _receiving = Task.Run(ReceiveAsync);
    }

    public long Acked => Interlocked.Read(ref _acked);

    public long Errors { get; private set; }

    public string? FirstError { get; private set; }

    public static async Task<ProduceSocket> ConnectAsync(Uri uri, int inFlight, LatencyRecorder latency)
    {
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(uri, timeout.Token);
        return new ProduceSocket(socket, inFlight, latency);
    }

    /// <summary>Completes when <paramref name="count"/> acks (in total) have arrived.</summary>
    public Task ExpectAsync(long count)
    {
        _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _expected, count);
        if (Acked >= count)
        {
            _done.TrySetResult();
        }

        return _done.Task;
    }

    /// <summary>Sends one frame once fewer than the in-flight limit are unacknowledged.</summary>
    public async ValueTask SendAsync(byte[] frame)
    {
        await _inFlight.WaitAsync(_stop.Token);
        _sent.Enqueue(Stopwatch.GetTimestamp());
        await _socket.SendAsync(frame, WebSocketMessageType.Text, true, _stop.Token);
    }

    private async Task ReceiveAsync()
    {
        var reader = new WsMessageReader(_socket);
        try
        {
            while (true)
            {
                var frame = await reader.ReceiveAsync(_stop.Token);
                if (frame is null)
                {
                    _done.TrySetException(new InvalidOperationException(
                        $"The edge closed the produce socket: {_socket.CloseStatus} {_socket.CloseStatusDescription}"));
                    return;
                }

                if (_sent.TryDequeue(out var sentAt))
                {
                    _latency.RecordSince(sentAt);
                }

                var info = WsFrames.Inspect(frame.Value.Span, wantId: false);
                if (info.IsError)
                {
                    Errors++;
                    FirstError ??= info.Text;
                }

                _inFlight.Release();
                if (Interlocked.Increment(ref _acked) >= Interlocked.Read(ref _expected))
                {
                    _done.TrySetResult();
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            _done.TrySetException(e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await WsFrames.CloseQuietlyAsync(_socket);
        try
        {
            await _receiving;
        }
        catch (ObjectDisposedException)
        {
            // Aborted mid-receive.
        }

        _stop.Dispose();
        _inFlight.Dispose();
    }
}
