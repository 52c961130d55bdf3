using Grpc.Core;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.SampleGrpcClient;

/// <summary>Consume: open in a new group from the earliest offset, read until every wanted value came, commit them.</summary>
internal static class SampleConsumer
{
    public static async Task<List<ConsumedRecord>> ConsumeAsync(
        KafkaBridge.KafkaBridgeClient bridge, string topic, string groupId, ISet<string> wanted, CancellationToken cancellationToken)
    {
        using var call = bridge.Consume(cancellationToken: cancellationToken);
        await call.RequestStream.WriteAsync(new ConsumeRequest
        {
            Open = new ConsumeOpen
            {
                Topic = topic,
                ClientId = "sample-grpc-client",
                GroupId = groupId,
                ValueFormat = DataFormat.String,
                OffsetReset = OffsetReset.Earliest,
            },
        }, cancellationToken);

        var received = new List<ConsumedRecord>();
        while (received.Count < wanted.Count && await call.ResponseStream.MoveNext(cancellationToken))
        {
            var response = call.ResponseStream.Current;
            if (response.KindCase != ConsumeResponse.KindOneofCase.Records)
            {
                continue;
            }

            var commit = new CommitRequest { RequestId = "sample" };
            foreach (var record in response.Records.Records)
            {
                if (record.Value?.KindCase == TypedValue.KindOneofCase.StringValue && wanted.Contains(record.Value.StringValue))
                {
                    received.Add(record);
                }

                // Offsets are cumulative per partition: committing each delivered record in order is enough.
                commit.Offsets.Add(new CommitOffset { Partition = record.Position.Partition, Offset = record.Position.Offset, TimestampMs = record.Position.TimestampMs });
            }

            await call.RequestStream.WriteAsync(new ConsumeRequest { Commit = commit }, cancellationToken);
        }

        await call.RequestStream.CompleteAsync();
        return received;
    }
}
