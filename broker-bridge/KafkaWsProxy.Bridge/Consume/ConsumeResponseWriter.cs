using System.Threading.Channels;
using System.Threading.RateLimiting;
using Grpc.Core;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>
/// The stream's single writer: notices first (commit results, revocations), then
/// records in batches bounded by count and bytes, within the stream's rate limit.
/// Records of partitions revoked since they were read are left out.
/// </summary>
internal sealed class ConsumeResponseWriter(
    ConsumerPump pump,
    int maxRecordsPerMessage,
    int maxBatchBytes,
    RateLimiter? rateLimiter,
    bool autoCommit)
{
    public async Task WriteAsync(IServerStreamWriter<ConsumeResponse> responses, CancellationToken cancellationToken)
    {
        var records = pump.Records;
        var notices = pump.Notices;
        var batch = new ConsumedRecordBatch();
        var batchBytes = 0;
        while (true)
        {
            while (notices.TryRead(out var notice))
            {
                await responses.WriteAsync(notice, cancellationToken).ConfigureAwait(false);
            }

            while (batch.Records.Count < maxRecordsPerMessage && records.TryRead(out var chunk))
            {
                // Room for the pump's next chunk while this one is sent.
                pump.RoomMade();
                foreach (var buffered in chunk)
                {
                    if (rateLimiter is not null)
                    {
                        await AcquireAsync(responses, batch, cancellationToken).ConfigureAwait(false);
                        batchBytes = batch.Records.Count == 0 ? 0 : batchBytes;
                    }

                    if (!pump.Partitions.IsCurrent(buffered.Record.Position.Partition, buffered.Generation))
                    {
                        continue;
                    }

                    // Bounded by bytes as well as records: the message stays under Grpc:MaxMessageBytes.
                    var size = buffered.Size;
                    if (batch.Records.Count > 0 && batchBytes + size > maxBatchBytes)
                    {
                        batch = await SendAsync(responses, batch, cancellationToken).ConfigureAwait(false);
                        batchBytes = 0;
                    }

                    batch.Records.Add(buffered.Record);
                    batchBytes += size;
                    if (batch.Records.Count >= maxRecordsPerMessage)
                    {
                        batch = await SendAsync(responses, batch, cancellationToken).ConfigureAwait(false);
                        batchBytes = 0;
                    }
                }
            }

            if (batch.Records.Count > 0)
            {
                batch = await SendAsync(responses, batch, cancellationToken).ConfigureAwait(false);
                batchBytes = 0;
                continue;
            }

            if (records.Completion.IsCompleted)
            {
                // The pump ended: rethrow its failure (an RpcException), or end quietly.
                await records.Completion.ConfigureAwait(false);
                return;
            }

            await Task.WhenAny(
                records.WaitToReadAsync(cancellationToken).AsTask(),
                notices.WaitToReadAsync(cancellationToken).AsTask()).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Smooth rather than bursty: a tenth of the rate every 100 ms.</summary>
    public static TokenBucketRateLimiter CreateRateLimiter(int perSecond)
    {
        var perTick = Math.Max(1, perSecond / 10);
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perTick,
            TokensPerPeriod = perTick,
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100.0 * perTick * 10 / perSecond),
            QueueLimit = 1,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    /// <summary>Takes a rate-limit permit; sends the partial batch first if it has to wait.</summary>
    private async ValueTask AcquireAsync(IServerStreamWriter<ConsumeResponse> responses, ConsumedRecordBatch batch, CancellationToken cancellationToken)
    {
        using var lease = rateLimiter!.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return;
        }

        if (batch.Records.Count > 0)
        {
            await SendAsync(responses, batch, cancellationToken).ConfigureAwait(false);
            batch.Records.Clear();
        }

        while (true)
        {
            using var waited = await rateLimiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
            if (waited.IsAcquired)
            {
                return;
            }
        }
    }

    private async Task<ConsumedRecordBatch> SendAsync(
        IServerStreamWriter<ConsumeResponse> responses, ConsumedRecordBatch batch, CancellationToken cancellationToken)
    {
        await responses.WriteAsync(new ConsumeResponse { Records = batch }, cancellationToken).ConfigureAwait(false);
        if (autoCommit)
        {
            pump.Enqueue(new CommitCommand(LastOffsets(batch), WantsResult: false));
        }

        return new ConsumedRecordBatch();
    }

    private static CommitRequest LastOffsets(ConsumedRecordBatch batch)
    {
        var last = new Dictionary<int, RecordPosition>();
        foreach (var record in batch.Records)
        {
            last[record.Position.Partition] = record.Position;
        }

        var request = new CommitRequest();
        request.Offsets.AddRange(last.Values.Select(p => new CommitOffset { Partition = p.Partition, Offset = p.Offset }));
        return request;
    }
}
