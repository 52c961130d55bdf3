using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Threading.Channels;
using KafkaWsProxy.Benchmarks.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace KafkaWsProxy.Benchmarks.Floor;

/// <summary>
/// The broadcast floor: a minimal Kestrel WebSocket server that writes every frame it makes to
/// every open socket, each socket with its own bounded queue and one sender calling
/// <see cref="WebSocket.SendAsync(ReadOnlyMemory{byte}, WebSocketMessageType, bool, CancellationToken)"/>.
/// A socket whose queue is full is closed with 4000, as the proxy closes one that fell behind.
/// No Kafka, no gRPC, no JSON rendering per socket: what writing the same frames to N sockets
/// costs this machine with Kestrel and the benchmark's clients.
/// </summary>
/// <remarks>
/// It runs as a process of its own (the benchmark program with <see cref="Argument"/>), as the edge
/// does: N server sockets and N client sockets would not fit one process's open files, and its
/// CPU is read apart from the clients'. GET /broadcast is the WebSocket; POST
/// /produce?topic=&amp;rate=&amp;seconds=&amp;batchSize= makes records for that long and answers how many.
/// </remarks>
internal sealed class BroadcastFloorServer
{
    public const string Argument = "--broadcast-floor-server";

    private readonly ConcurrentDictionary<FloorSocket, byte> _sockets = new();

    private BroadcastFloorServer(int queuedFrames) => QueuedFrames = queuedFrames;

    private int QueuedFrames { get; }

    /// <summary>The floor process: serves until stopped. Takes --urls and --queued-frames Q.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var app = FloorHost.CreateBuilder(args).Build();
        var server = new BroadcastFloorServer(app.Configuration.GetValue("queued-frames", 100));
        app.UseWebSockets();
        app.Map("/broadcast", server.ServeAsync);
        app.MapPost("/produce", (string topic, int rate, int seconds, int batchSize) =>
            server.ProduceAsync(topic, rate, TimeSpan.FromSeconds(seconds), batchSize));
        await app.RunAsync();
        return 0;
    }

    /// <summary>Makes records at <paramref name="rate"/> per second for <paramref name="duration"/>, in frames of batchSize, each handed to every socket; returns how many.</summary>
    private async Task<long> ProduceAsync(string topic, int rate, TimeSpan duration, int batchSize)
    {
        using var frames = new BroadcastFloorFrames(topic, BenchEnvironment.Partitions, batchSize);
        var produced = await SteadyRate.RunAsync(rate, duration, _ =>
        {
            if (frames.Add() is { } frame)
            {
                Broadcast(frame);
            }
        });

        if (frames.Complete() is { } last)
        {
            Broadcast(last);
        }

        return produced;
    }

    /// <summary>Queues the frame for every open socket; a socket with no room is closed (fell behind).</summary>
    private void Broadcast(ReadOnlyMemory<byte> frame)
    {
        foreach (var socket in _sockets.Keys)
        {
            if (!socket.Queue.Writer.TryWrite(frame))
            {
                socket.FallBehind();
            }
        }
    }

    private async Task ServeAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var webSocket = await context.WebSockets.AcceptWebSocketAsync();
        using var socket = new FloorSocket(webSocket, QueuedFrames);
        _sockets.TryAdd(socket, 0);
        try
        {
            await socket.RunAsync(context.RequestAborted);
        }
        finally
        {
            _sockets.TryRemove(socket, out _);
        }
    }

    private sealed class FloorSocket(WebSocket socket, int queuedFrames) : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private volatile bool _fellBehind;

        public Channel<ReadOnlyMemory<byte>> Queue { get; } =
            Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(queuedFrames) { SingleReader = true });

        public void FallBehind()
        {
            _fellBehind = true;
            try
            {
                _stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The socket ended while the frame was being handed out.
            }
        }

        public async Task RunAsync(CancellationToken aborted)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted, _stop.Token);
            var receiving = DrainClientAsync(stop.Token);
            try
            {
                await foreach (var frame in Queue.Reader.ReadAllAsync(stop.Token))
                {
                    await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, aborted);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException)
            {
            }

            try
            {
                if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    await socket.CloseOutputAsync(
                        _fellBehind ? (WebSocketCloseStatus)4000 : WebSocketCloseStatus.NormalClosure, _fellBehind ? "fell behind" : null, aborted);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException)
            {
            }

            await receiving;
        }

        /// <summary>Reads what the client sends until its close, which ends the sender.</summary>
        private async Task DrainClientAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[256];
            try
            {
                while ((await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken)).MessageType != WebSocketMessageType.Close)
                {
                }

                _stop.Cancel();
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException)
            {
            }
        }

        public void Dispose() => _stop.Dispose();
    }
}
