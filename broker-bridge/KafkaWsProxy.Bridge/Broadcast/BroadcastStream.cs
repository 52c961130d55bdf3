using System.Threading.Channels;
using Grpc.Core;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Broadcast;

/// <summary>
/// Writes one broadcast stream (docs/protocol.md §5.1) from its buffer: the records its shared
/// consumer offered, batched into response messages; then, if it fell behind, `fell_behind`
/// with where it started. Its request loop answers commits (a broadcast stream has none to
/// make) and ends the stream when the client ends its requests. One writer per stream.
/// </summary>
internal sealed class BroadcastStream(BroadcastSubscriber subscriber, BroadcastOptions options, GrpcOptions grpc)
{
    private readonly Channel<ConsumeResponse> _notices =
        Channel.CreateUnbounded<ConsumeResponse>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public long DeliveredCount { get; private set; }

    /// <summary>Whether the stream ended because it fell behind its buffer.</summary>
    public bool FellBehind { get; private set; }

    public async Task RunAsync(IAsyncStreamReader<ConsumeRequest> requests, IServerStreamWriter<ConsumeResponse> responses, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = ReadRequestsAsync(requests, stop.Token);
        var writing = WriteAsync(responses, stop.Token);
        try
        {
            var first = await Task.WhenAny(reading, writing).ConfigureAwait(false);
            await first.ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(reading, writing).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    private async Task ReadRequestsAsync(IAsyncStreamReader<ConsumeRequest> requests, CancellationToken cancellationToken)
    {
        while (await requests.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            var request = requests.Current;
            if (request.KindCase != ConsumeRequest.KindOneofCase.Commit)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "Only commits may follow the open message."));
            }

            var result = new CommitResult { RequestId = request.Commit.RequestId };
            result.Failures.AddRange(request.Commit.Offsets.Select(o => new CommitFailure
            {
                Partition = o.Partition,
                Offset = o.Offset,
                Message = "A broadcast stream has no consumer group and commits nothing.",
            }));
            _notices.Writer.TryWrite(new ConsumeResponse { CommitResult = result });
        }
    }

    private async Task WriteAsync(IServerStreamWriter<ConsumeResponse> responses, CancellationToken cancellationToken)
    {
        var batches = subscriber.Batches;
        var notices = _notices.Reader;
        var message = new ConsumedRecordBatch();
        var messageBytes = 0;
        while (true)
        {
            while (notices.TryRead(out var notice))
            {
                await responses.WriteAsync(notice, cancellationToken).ConfigureAwait(false);
            }

            while (message.Records.Count < options.MaxRecordsPerMessage && batches.TryRead(out var batch))
            {
                subscriber.Taken(batch.Records.Length);
                foreach (var (record, size) in batch.Records)
                {
                    // Bounded by bytes as well as records: the message stays under Grpc:MaxMessageBytes.
                    if (message.Records.Count > 0 && messageBytes + size > grpc.MaxBatchBytes)
                    {
                        message = await SendAsync(responses, message, cancellationToken).ConfigureAwait(false);
                        messageBytes = 0;
                    }

                    message.Records.Add(record);
                    messageBytes += size;
                }
            }

            if (message.Records.Count > 0)
            {
                message = await SendAsync(responses, message, cancellationToken).ConfigureAwait(false);
                messageBytes = 0;
                continue;
            }

            if (batches.Completion.IsCompleted)
            {
                if (subscriber.FellBehind)
                {
                    FellBehind = true;
                    await responses.WriteAsync(new ConsumeResponse { FellBehind = FellBehindNotice() }, cancellationToken).ConfigureAwait(false);
                    return;
                }

                // The shared consumer stopped: rethrow its failure (an RpcException), or end quietly.
                await batches.Completion.ConfigureAwait(false);
                return;
            }

            await Task.WhenAny(
                batches.WaitToReadAsync(cancellationToken).AsTask(),
                notices.WaitToReadAsync(cancellationToken).AsTask()).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private BroadcastFellBehind FellBehindNotice()
    {
        var notice = new BroadcastFellBehind { BufferedRecords = subscriber.Capacity };
        notice.StartedAt.AddRange(subscriber.StartedAt
            .OrderBy(s => s.Key)
            .Select(s => new PartitionOffset { Partition = s.Key, Offset = s.Value }));
        return notice;
    }

    private async Task<ConsumedRecordBatch> SendAsync(
        IServerStreamWriter<ConsumeResponse> responses, ConsumedRecordBatch message, CancellationToken cancellationToken)
    {
        await responses.WriteAsync(new ConsumeResponse { Records = message }, cancellationToken).ConfigureAwait(false);
        DeliveredCount += message.Records.Count;
        return new ConsumedRecordBatch();
    }
}
