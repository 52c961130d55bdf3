using Grpc.Core;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Configuration;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace KafkaWsProxy.Edge.Bridge;

/// <summary>
/// Opens bridge streams and waits for the bridge's first answer, so that a
/// refusal can still be sent as HTTP before the WebSocket upgrade. Opening is
/// retried while the bridge is unreachable, within one overall deadline.
/// </summary>
internal sealed class BridgeStreamOpener
{
    private readonly KafkaBridge.KafkaBridgeClient _client;
    private readonly ResiliencePipeline _openPipeline;

    public BridgeStreamOpener(KafkaBridge.KafkaBridgeClient client, IOptions<BridgeOptions> options, Telemetry.EdgeMetrics metrics)
    {
        _client = client;
        var bridge = options.Value;
        var pipeline = new ResiliencePipelineBuilder().AddTimeout(bridge.OpenTimeout);
        if (bridge.OpenRetries > 0)
        {
            pipeline.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = bridge.OpenRetries,
                Delay = bridge.OpenRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                // Only opens that no bridge took are retried (it was unreachable, gone, or
                // draining): with several bridges the next attempt is balanced to another one.
                // A bridge's refusal is final.
                ShouldHandle = new PredicateBuilder().Handle<RpcException>(
                    e => e.StatusCode == StatusCode.Unavailable && (BridgeStatusMapping.IsLocalFailure(e) || BridgeStatusMapping.IsDraining(e))),
                OnRetry = _ =>
                {
                    metrics.BridgeOpenRetried();
                    return ValueTask.CompletedTask;
                },
            });
        }

        _openPipeline = pipeline.Build();
    }

    /// <summary>
    /// Opens a Produce stream. The returned call lives until <paramref name="streamLifetime"/>
    /// is cancelled or the call is disposed.
    /// </summary>
    /// <exception cref="RpcException">The bridge refused the stream, or could not be reached (Unavailable).</exception>
    public Task<OpenedStream<ProduceRequest, ProduceResponse>> OpenProduceAsync(
        ProduceOpen open, CancellationToken streamLifetime) =>
        OpenAsync(
            () => _client.Produce(cancellationToken: streamLifetime),
            new ProduceRequest { Open = WithDrainNotice(open) },
            response => response.KindCase == ProduceResponse.KindOneofCase.Opened,
            streamLifetime);

    /// <summary>Opens a Consume stream; see <see cref="OpenProduceAsync"/>.</summary>
    public Task<OpenedStream<ConsumeRequest, ConsumeResponse>> OpenConsumeAsync(
        ConsumeOpen open, CancellationToken streamLifetime) =>
        OpenAsync(
            () => _client.Consume(cancellationToken: streamLifetime),
            new ConsumeRequest { Open = WithDrainNotice(open) },
            response => response.KindCase == ConsumeResponse.KindOneofCase.Opened,
            streamLifetime);

    // The sessions read the bridge's drain notice and end the call on it (docs/protocol.md §6).
    private static ProduceOpen WithDrainNotice(ProduceOpen open)
    {
        open.DrainNotice = true;
        return open;
    }

    private static ConsumeOpen WithDrainNotice(ConsumeOpen open)
    {
        open.DrainNotice = true;
        return open;
    }

    private async Task<OpenedStream<TRequest, TResponse>> OpenAsync<TRequest, TResponse>(
        Func<AsyncDuplexStreamingCall<TRequest, TResponse>> start,
        TRequest openMessage,
        Func<TResponse, bool> isOpened,
        CancellationToken cancellationToken)
    {
        try
        {
            return await _openPipeline.ExecuteAsync(
                async attemptToken =>
                {
                    var call = start();
                    try
                    {
                        await call.RequestStream.WriteAsync(openMessage, attemptToken).ConfigureAwait(false);
                        if (!await call.ResponseStream.MoveNext(attemptToken).ConfigureAwait(false))
                        {
                            // The bridge ended the call without answering: its status says why.
                            var status = call.GetStatus();
                            throw new RpcException(status.StatusCode == StatusCode.OK
                                ? new Status(StatusCode.Internal, "The bridge ended the stream without opening it.")
                                : status);
                        }

                        var first = call.ResponseStream.Current;
                        if (!isOpened(first))
                        {
                            throw new RpcException(new Status(StatusCode.Internal, "The bridge answered the open message out of protocol."));
                        }

                        return new OpenedStream<TRequest, TResponse>(call, first);
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && !BridgeStatusMapping.IsLocalFailure(e))
                    {
                        var answered = await BridgeAnsweredAsync(call).ConfigureAwait(false);
                        call.Dispose();
                        if (answered)
                        {
                            throw;
                        }

                        // The balancer failed the pick (no healthy bridge at that moment): a local failure too.
                        throw new RpcException(new Status(StatusCode.Unavailable, e.Status.Detail, new IOException("No bridge answered.")));
                    }
                    catch
                    {
                        call.Dispose();
                        throw;
                    }
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException)
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, "The bridge did not open the stream in time."));
        }
    }

    /// <summary>True when a bridge sent response headers: the status came from it, not from the channel.</summary>
    private static async Task<bool> BridgeAnsweredAsync<TRequest, TResponse>(AsyncDuplexStreamingCall<TRequest, TResponse> call)
    {
        try
        {
            await call.ResponseHeadersAsync.ConfigureAwait(false);
            return true;
        }
        catch (RpcException)
        {
            return false;
        }
    }
}

/// <summary>A bridge stream whose first answer has arrived.</summary>
internal sealed record OpenedStream<TRequest, TResponse>(AsyncDuplexStreamingCall<TRequest, TResponse> Call, TResponse Opened)
    : IDisposable
{
    public void Dispose() => Call.Dispose();
}
