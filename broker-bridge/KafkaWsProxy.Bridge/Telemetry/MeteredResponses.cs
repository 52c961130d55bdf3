using Grpc.Core;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Telemetry;

/// <summary>Counts the results of a Produce stream as they are written to the edge.</summary>
internal sealed class MeteredProduceResponses(IServerStreamWriter<ProduceResponse> inner, BridgeMetrics metrics)
    : IServerStreamWriter<ProduceResponse>
{
    public WriteOptions? WriteOptions { get => inner.WriteOptions; set => inner.WriteOptions = value; }

    public Task WriteAsync(ProduceResponse message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(ProduceResponse message, CancellationToken cancellationToken)
    {
        if (message.KindCase == ProduceResponse.KindOneofCase.Results)
        {
            var produced = 0;
            foreach (var result in message.Results.Results)
            {
                if (result.OutcomeCase == ProduceResult.OutcomeOneofCase.Position)
                {
                    produced++;
                }
                else
                {
                    metrics.ProduceFailed(result.Error is { KafkaError.Length: > 0 } error ? error.KafkaError : result.Error?.Code.ToString() ?? "Unknown");
                }
            }

            metrics.RecordsProduced(produced);
        }

        return inner.WriteAsync(message, cancellationToken);
    }
}

/// <summary>
/// Counts the records of a Consume stream as they are written to the edge, and gives each
/// record that carries a sampled trace context a span in that trace, around its write.
/// </summary>
internal sealed class MeteredConsumeResponses(IServerStreamWriter<ConsumeResponse> inner, BridgeMetrics metrics)
    : IServerStreamWriter<ConsumeResponse>
{
    public WriteOptions? WriteOptions { get => inner.WriteOptions; set => inner.WriteOptions = value; }

    public Task WriteAsync(ConsumeResponse message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(ConsumeResponse message, CancellationToken cancellationToken)
    {
        if (message.KindCase != ConsumeResponse.KindOneofCase.Records)
        {
            return inner.WriteAsync(message, cancellationToken);
        }

        metrics.RecordsConsumed(message.Records.Records.Count);
        return BridgeTelemetry.StartDeliveries(message.Records) is { } spans
            ? WriteTracedAsync(message, spans, cancellationToken)
            : inner.WriteAsync(message, cancellationToken);
    }

    private async Task WriteTracedAsync(ConsumeResponse message, List<System.Diagnostics.Activity> spans, CancellationToken cancellationToken)
    {
        try
        {
            await inner.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var span in spans)
            {
                span.Dispose();
            }
        }
    }
}
