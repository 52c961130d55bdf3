using Grpc.Core;
using KafkaWsProxy.Bridge.Configuration;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Bridge.Services;

/// <summary>
/// Ends a stream when the bridge shuts down (docs/protocol.md §6): the drain
/// notice for a client that asked for it, then UNAVAILABLE with the drain trailer.
/// </summary>
/// <remarks>
/// The final status alone can be lost: the HTTP/2 connection closes as soon as
/// its last stream ends, and a client still reading the stream's earlier
/// messages then sees the connection's end (NO_ERROR) instead of the trailer,
/// and may lose the results read with it. The notice arrives in order after the
/// last result, and the stream stays open until the client has read it and
/// ended the call, so nothing behind it can be lost.
/// </remarks>
internal sealed class StreamDrain(IHostApplicationLifetime lifetime, IOptions<DrainOptions> options, Telemetry.BridgeMetrics metrics)
{
    public bool IsDraining(CancellationToken callCancelled) =>
        lifetime.ApplicationStopping.IsCancellationRequested && !callCancelled.IsCancellationRequested;

    /// <summary>When the bridge is stopping: sends the notice (if asked), waits for the client to end the call, and throws the drain status.</summary>
    /// <param name="writeNotice">Writes the notice; called only when no other writer of the response stream is left.</param>
    /// <exception cref="RpcException">UNAVAILABLE with the drain trailer, when draining.</exception>
    public async Task EndIfDrainingAsync(bool noticeRequested, Func<CancellationToken, Task> writeNotice, CancellationToken callCancelled)
    {
        if (!IsDraining(callCancelled))
        {
            return;
        }

        if (noticeRequested)
        {
            try
            {
                await writeNotice(callCancelled).ConfigureAwait(false);
                await Task.Delay(options.Value.NoticeTimeout, callCancelled).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException)
            {
                // The client ended the call: it has the notice.
            }
        }

        metrics.StreamDrained();
        throw Draining();
    }

    /// <summary>A draining bridge takes no new stream: the client opens it on another bridge.</summary>
    /// <exception cref="RpcException">UNAVAILABLE with the drain trailer, when draining.</exception>
    public void RefuseIfDraining(CancellationToken callCancelled)
    {
        if (IsDraining(callCancelled))
        {
            throw Draining();
        }
    }

    private static RpcException Draining() => new(
        new Status(StatusCode.Unavailable, "The bridge is shutting down; reconnect."),
        new Metadata { { BridgeTrailers.Draining, "true" } });
}
