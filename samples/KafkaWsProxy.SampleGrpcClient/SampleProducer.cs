using Grpc.Core;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.SampleGrpcClient;

/// <summary>Produce: open, send one batch, read one result per record (in the order sent), close.</summary>
internal static class SampleProducer
{
    public static async Task<List<RecordPosition>> ProduceAsync(
        KafkaBridge.KafkaBridgeClient bridge, string topic, IReadOnlyList<string> values, CancellationToken cancellationToken)
    {
        using var call = bridge.Produce(cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(new ProduceRequest
        {
            Open = new ProduceOpen { Topic = topic, ClientId = "sample-grpc-client", ValueFormat = DataFormat.String },
        }, cancellationToken);
        if (!await call.ResponseStream.MoveNext(cancellationToken) || call.ResponseStream.Current.KindCase != ProduceResponse.KindOneofCase.Opened)
        {
            throw new InvalidOperationException("The bridge did not open the produce stream.");
        }

        var batch = new ProduceBatch();
        for (var i = 0; i < values.Count; i++)
        {
            batch.Records.Add(new ProduceRecord { MessageId = i.ToString(System.Globalization.CultureInfo.InvariantCulture), Value = new TypedValue { StringValue = values[i] } });
        }

        await call.RequestStream.WriteAsync(new ProduceRequest { Batch = batch }, cancellationToken);

        var positions = new List<RecordPosition>();
        while (positions.Count < values.Count && await call.ResponseStream.MoveNext(cancellationToken))
        {
            foreach (var result in call.ResponseStream.Current.Results.Results)
            {
                if (result.OutcomeCase == ProduceResult.OutcomeOneofCase.Error)
                {
                    throw new InvalidOperationException($"Record {result.MessageId} was not written: {result.Error.Message}");
                }

                positions.Add(result.Position);
            }
        }

        await call.RequestStream.CompleteAsync();
        // Drain to the end of the call so that its status is seen (OK after a clean close).
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
        }

        return positions;
    }
}
