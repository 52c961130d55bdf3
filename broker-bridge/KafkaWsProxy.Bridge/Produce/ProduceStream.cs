using System.Threading.Channels;
using Confluent.Kafka;
using Grpc.Core;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Kafka;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Produce;

/// <summary>
/// Pumps one open Produce stream: records are handed to Kafka as they arrive
/// (many in flight), and their results are written back in input order by a
/// single writer, batched as they become ready.
/// </summary>
internal sealed class ProduceStream(
    IProducer<byte[]?, byte[]?> producer,
    ProduceOpen open,
    ProduceOptions options,
    GrpcOptions grpc,
    ProducerRateLimits rateLimits,
    Telemetry.BridgeMetrics metrics) : IProduceStream
{
    private static readonly TimeSpan s_queueFullBackoff = TimeSpan.FromMilliseconds(5);

    private readonly RecordMessageBuilder _messages = new(open.KeyFormat, open.ValueFormat);

    public long RecordCount { get; private set; }

    public async Task RunAsync(
        IAsyncStreamReader<ProduceRequest> requests,
        IServerStreamWriter<ProduceResponse> responses,
        CancellationToken stopReading,
        CancellationToken cancellationToken)
    {
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(abort.Token, stopReading);
        var inFlight = Channel.CreateBounded<PendingDelivery>(new BoundedChannelOptions(options.MaxInFlightPerStream)
        {
            SingleReader = true,
            SingleWriter = true,
        });

        var writer = WriteResultsAsync(inFlight.Reader, responses, abort.Token);
        Exception? failure = null;
        try
        {
            await ReadRecordsAsync(requests, inFlight.Writer, reading.Token, abort.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopReading.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // Draining: no new records, but every record handed to Kafka is still answered.
        }
        catch (Exception e)
        {
            failure = e;
            await abort.CancelAsync().ConfigureAwait(false);
        }

        inFlight.Writer.TryComplete();
        try
        {
            await writer.ConfigureAwait(false);
        }
        catch (Exception) when (failure is not null)
        {
            // The reading failure is the one to report.
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <param name="cancellationToken">Stops reading (a drain, or the stream failing).</param>
    /// <param name="abort">Only the stream failing: a record whose place among the results is taken
    /// is handed to Kafka even while draining, so every record in Kafka gets its answer.</param>
    private async Task ReadRecordsAsync(
        IAsyncStreamReader<ProduceRequest> requests,
        ChannelWriter<PendingDelivery> inFlight,
        CancellationToken cancellationToken,
        CancellationToken abort)
    {
        while (await requests.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            var request = requests.Current;
            if (request.KindCase != ProduceRequest.KindOneofCase.Batch)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "Only record batches may follow the open message."));
            }

            var limited = rateLimits.IsLimited(open.ClientId);
            foreach (var record in request.Batch.Records)
            {
                if (limited)
                {
                    await rateLimits.WaitAsync(open.ClientId, cancellationToken).ConfigureAwait(false);
                }

                // Its place among the results is taken first: a drain that ends the wait for
                // room then leaves the record unsent, rather than in Kafka but never answered.
                var pending = new PendingDelivery(record.MessageId, metrics);
                await inFlight.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
                await SubmitAsync(record, pending, abort).ConfigureAwait(false);
                RecordCount++;
            }
        }
    }

    private async ValueTask SubmitAsync(ProduceRecord record, PendingDelivery pending, CancellationToken cancellationToken)
    {
        if (!_messages.TryBuild(record, out var message, out var invalid))
        {
            pending.Fail(invalid);
            return;
        }

        while (true)
        {
            try
            {
                pending.MarkHandedToKafka();
                producer.Produce(open.Topic, message, pending.OnDeliveryReport);
                return;
            }
            catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                // librdkafka's queue is full: wait for deliveries to drain it. The
                // bounded in-flight channel keeps this rare.
                await Task.Delay(s_queueFullBackoff, cancellationToken).ConfigureAwait(false);
            }
            catch (KafkaException e)
            {
                pending.Fail(KafkaErrorMapping.ToRecordError(e.Error));
                return;
            }
        }
    }

    private async Task WriteResultsAsync(
        ChannelReader<PendingDelivery> inFlight,
        IServerStreamWriter<ProduceResponse> responses,
        CancellationToken cancellationToken)
    {
        var batch = new ProduceResultBatch();
        var batchBytes = 0;
        while (await inFlight.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (batch.Results.Count < options.MaxResultsPerMessage && inFlight.TryPeek(out var head))
            {
                // Send what is ready before waiting on a record that is not.
                if (!head.Completion.IsCompleted && batch.Results.Count > 0)
                {
                    break;
                }

                var result = await head.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
                // Results echo message ids of any length: the message stays under Grpc:MaxMessageBytes.
                var size = GrpcOptions.SizeInBatch(result);
                if (batch.Results.Count > 0 && batchBytes + size > grpc.MaxBatchBytes)
                {
                    break;
                }

                batch.Results.Add(result);
                batchBytes += size;
                inFlight.TryRead(out _);
            }

            if (batch.Results.Count > 0)
            {
                await responses.WriteAsync(new ProduceResponse { Results = batch }, cancellationToken).ConfigureAwait(false);
                batch = new ProduceResultBatch();
                batchBytes = 0;
            }
        }
    }

    /// <summary>The producer is shared (see <see cref="SharedProducerPool"/>): nothing to release.</summary>
    public void Dispose()
    {
    }
}
