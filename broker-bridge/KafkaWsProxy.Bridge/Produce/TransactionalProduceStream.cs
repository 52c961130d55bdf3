using Confluent.Kafka;
using Grpc.Core;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Kafka;
using KafkaWsProxy.Bridge.Logging;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Produce;

/// <summary>
/// An exactly-once Produce stream: its own transactional producer
/// (transactional.id = {clientId}-{instanceId}), each record committed in its
/// own transaction before its result. A record whose transaction aborts gets an
/// error, never an ack. A newer producer with the same id fences this one: the
/// stream then ends with ABORTED.
/// </summary>
internal sealed class TransactionalProduceStream : IProduceStream
{
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly ProduceOpen _open;
    private readonly ProduceOptions _options;
    private readonly ProducerRateLimits _rateLimits;
    private readonly RecordMessageBuilder _messages;

    private TransactionalProduceStream(IProducer<byte[]?, byte[]?> producer, ProduceOpen open, ProduceOptions options, ProducerRateLimits rateLimits)
    {
        _producer = producer;
        _open = open;
        _options = options;
        _rateLimits = rateLimits;
        _messages = new RecordMessageBuilder(open.KeyFormat, open.ValueFormat);
    }

    public long RecordCount { get; private set; }

    public static string TransactionalIdOf(ProduceOpen open) => $"{open.ClientId}-{open.InstanceId}";

    /// <summary>Creates the producer and registers its transactional id, fencing any older producer with the same id.</summary>
    public static async Task<TransactionalProduceStream> StartAsync(
        ProducerConfig config, ProduceOpen open, ProduceOptions options, ProducerRateLimits rateLimits, KafkaClientFactory clients, CancellationToken cancellationToken)
    {
        var producer = clients.CreateProducer<byte[]?, byte[]?>(config);
        try
        {
            // Blocking librdkafka call: kept off the request thread.
            await Task.Run(() => producer.InitTransactions(options.TransactionTimeout), cancellationToken).ConfigureAwait(false);
            return new TransactionalProduceStream(producer, open, options, rateLimits);
        }
        catch (KafkaException e)
        {
            producer.Dispose();
            throw KafkaErrorMapping.ToRpcException(e, "Could not start the transactional producer");
        }
        catch
        {
            producer.Dispose();
            throw;
        }
    }

    public async Task RunAsync(
        IAsyncStreamReader<ProduceRequest> requests,
        IServerStreamWriter<ProduceResponse> responses,
        CancellationToken stopReading,
        CancellationToken cancellationToken)
    {
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopReading);
        while (await MoveNextAsync(requests, reading.Token, stopReading).ConfigureAwait(false))
        {
            if (requests.Current.KindCase != ProduceRequest.KindOneofCase.Batch)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "Only record batches may follow the open message."));
            }

            foreach (var record in requests.Current.Batch.Records)
            {
                var result = await ProduceInTransactionAsync(record, cancellationToken).ConfigureAwait(false);
                RecordCount++;
                await responses.WriteAsync(new ProduceResponse { Results = new ProduceResultBatch { Results = { result } } }, cancellationToken)
                    .ConfigureAwait(false);
            }
        }
    }

    /// <summary>False at the end of the requests, or when draining.</summary>
    private static async Task<bool> MoveNextAsync(IAsyncStreamReader<ProduceRequest> requests, CancellationToken reading, CancellationToken stopReading)
    {
        try
        {
            return await requests.MoveNext(reading).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopReading.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task<ProduceResult> ProduceInTransactionAsync(ProduceRecord record, CancellationToken cancellationToken)
    {
        if (!_messages.TryBuild(record, out var message, out var invalid))
        {
            return new ProduceResult { MessageId = record.MessageId, Error = invalid };
        }

        if (_rateLimits.IsLimited(_open.ClientId))
        {
            await _rateLimits.WaitAsync(_open.ClientId, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            _producer.BeginTransaction();
            var delivered = await _producer.ProduceAsync(_open.Topic, message, cancellationToken).ConfigureAwait(false);
            await Task.Run(() => _producer.CommitTransaction(_options.TransactionTimeout), cancellationToken).ConfigureAwait(false);
            return new ProduceResult
            {
                MessageId = record.MessageId,
                Position = new RecordPosition
                {
                    Topic = delivered.Topic,
                    Partition = delivered.Partition.Value,
                    Offset = delivered.Offset.Value,
                    TimestampMs = delivered.Timestamp.UnixTimestampMs,
                },
            };
        }
        catch (KafkaException e) when (IsFenced(e.Error))
        {
            throw Fenced();
        }
        catch (KafkaException e) when (e.Error.IsFatal)
        {
            throw KafkaErrorMapping.ToRpcException(e, "The transactional producer failed");
        }
        catch (KafkaException e)
        {
            await AbortAsync().ConfigureAwait(false);
            return new ProduceResult { MessageId = record.MessageId, Error = KafkaErrorMapping.ToRecordError(e.Error) };
        }
    }

    private async Task AbortAsync()
    {
        try
        {
            await Task.Run(() => _producer.AbortTransaction(_options.TransactionTimeout)).ConfigureAwait(false);
        }
        catch (KafkaException e) when (IsFenced(e.Error))
        {
            throw Fenced();
        }
        catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_State)
        {
            // No transaction was open (BeginTransaction itself failed).
        }
    }

    private static bool IsFenced(Error error) =>
        error.Code is ErrorCode.ProducerFenced or ErrorCode.Local_Fenced or ErrorCode.InvalidProducerEpoch;

    private RpcException Fenced() => new(new Status(StatusCode.Aborted,
        $"Fenced: a newer producer with transactional id {TransactionalIdOf(_open)} took over."));

    public void Dispose() => _producer.Dispose();
}
