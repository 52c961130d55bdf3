using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;

namespace KafkaWsProxy.Benchmarks.Infrastructure;

/// <summary>
/// One idle /socket/out client: a receive loop that counts frames and remembers the newest
/// probe record ("probe-{n}") it saw, and why the socket ended if it did.
/// </summary>
internal sealed class IdleConsumeSocket : IAsyncDisposable
{
    public const string ProbePrefix = "probe-";

    private readonly ClientWebSocket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _receiving;
    private int _newestProbe;
    private long _newestProbeAt;
    private long _frames;
    private volatile string? _ended;

    private IdleConsumeSocket(ClientWebSocket socket, int probeAtOpen)
    {
        _socket = socket;
        ProbeAtOpen = probeAtOpen;
        _receiving = Task.Run(ReceiveAsync);
    }

    /// <summary>The newest probe produced before this socket was opened: only later ones show that it receives.</summary>
    public int ProbeAtOpen { get; }

    /// <summary>The newest probe received; 0 before any.</summary>
    public int NewestProbe => Volatile.Read(ref _newestProbe);

    /// <summary>When the newest probe arrived (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    public long NewestProbeAt => Interlocked.Read(ref _newestProbeAt);

    public long Frames => Interlocked.Read(ref _frames);

    /// <summary>Why the socket ended (close status and reason, or the error); null while it is open.</summary>
    public string? Ended => _ended;

    /// <summary>Received a probe newer than <paramref name="probe"/>, and newer than any produced before it opened.</summary>
    public bool ReceivedAfter(int probe) => NewestProbe > Math.Max(probe, ProbeAtOpen);

    /// <summary>Opens the socket; a refusal throws a <see cref="WebSocketException"/> whose text has the edge's status and body.</summary>
    public static async Task<IdleConsumeSocket> ConnectAsync(Uri uri, UpgradeInvoker invoker, int probeAtOpen, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        try
        {
            await socket.ConnectAsync(uri, invoker, cancellationToken);
        }
        catch (WebSocketException e) when (invoker.TakeRefusal(uri) is { } refusal)
        {
            socket.Dispose();
            throw new WebSocketException(WebSocketError.NotAWebSocket, refusal, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return new IdleConsumeSocket(socket, probeAtOpen);
    }

    /// <summary>Closes the socket (best effort, then aborted) and ends its receive loop.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await WsFrames.CloseQuietlyAsync(_socket);
        await _receiving;
        _stop.Dispose();
    }

    private async Task ReceiveAsync()
    {
        // Probes are small frames: a small buffer keeps thousands of sockets cheap for this process.
        var reader = new WsMessageReader(_socket, initialBytes: 1024);
        try
        {
            while (true)
            {
                var frame = await reader.ReceiveAsync(_stop.Token);
                if (frame is null)
                {
                    _ended = $"closed {(int?)_socket.CloseStatus} {_socket.CloseStatusDescription}";
                    return;
                }

                Interlocked.Increment(ref _frames);
                var value = WsFrames.StringValue(frame.Value.Span);
                if (value is not null && value.StartsWith(ProbePrefix, StringComparison.Ordinal)
                    && int.TryParse(value.AsSpan(ProbePrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var probe)
                    && probe > NewestProbe)
                {
                    Interlocked.Exchange(ref _newestProbeAt, System.Diagnostics.Stopwatch.GetTimestamp());
                    Volatile.Write(ref _newestProbe, probe);
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            _ended = _stop.IsCancellationRequested ? "closed by the benchmark" : $"failed: {e.Message}";
        }
    }
}

/// <summary>
/// One HTTP handler for every socket's upgrade, which also keeps the status and body of an
/// upgrade the edge refused (ClientWebSocket only says the status was not 101).
/// </summary>
internal sealed class UpgradeInvoker : HttpMessageInvoker
{
    private readonly RefusalRecorder _recorder;

    public UpgradeInvoker()
        : this(new RefusalRecorder())
    {
    }

    private UpgradeInvoker(RefusalRecorder recorder)
        : base(recorder, disposeHandler: true) => _recorder = recorder;

    /// <summary>"status body" of the refused upgrade of <paramref name="uri"/>, once.</summary>
    public string? TakeRefusal(Uri uri) => _recorder.Refusals.TryRemove(uri.Query, out var refusal) ? refusal : null;

    private sealed class RefusalRecorder() : DelegatingHandler(new SocketsHttpHandler())
    {
        public ConcurrentDictionary<string, string> Refusals { get; } = new(StringComparer.Ordinal);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.StatusCode != HttpStatusCode.SwitchingProtocols && request.RequestUri is { } uri)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                Refusals[uri.Query] = string.Create(CultureInfo.InvariantCulture, $"{(int)response.StatusCode} {body}");
            }

            return response;
        }
    }
}
