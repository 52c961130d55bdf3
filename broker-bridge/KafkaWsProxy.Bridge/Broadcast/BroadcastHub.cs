using System.Collections.Concurrent;
using Confluent.Kafka;
using Grpc.Core;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Consume;
using KafkaWsProxy.Bridge.Kafka;
using KafkaWsProxy.Bridge.Logging;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Broadcast;

/// <summary>
/// One Kafka consumer shared by the broadcast streams of a <see cref="BroadcastKey"/>
/// (docs/protocol.md §5.1): assigned every partition of the topic, in no group, never
/// committing. Its poll thread (the only one touching the consumer) decodes each record
/// once and offers the same batch to every stream's buffer. A second loop looks for
/// partitions added to the topic; the poll thread assigns them from their start.
/// </summary>
internal sealed class BroadcastHub : IAsyncDisposable
{
    private readonly BroadcastKey _key;
    private readonly string _name;
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly ConsumedRecordFactory _records;
    private readonly BroadcastOptions _options;
    private readonly TimeSpan _metadataTimeout;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();

    // Guards the streams and the next offset per partition, so that a joining stream's
    // start is exactly the first record it is offered on each partition.
    private readonly Lock _gate = new();
    private BroadcastSubscriber[] _subscribers = [];
    private readonly Dictionary<int, long> _next = [];
    private readonly ConcurrentQueue<int> _partitionCounts = new();
    private Task _polling = Task.CompletedTask;
    private Task _refreshing = Task.CompletedTask;
    private Func<CancellationToken, Task<int?>>? _partitionCountOf;
    private bool _started;

    private BroadcastHub(
        BroadcastKey key, IConsumer<byte[]?, byte[]?> consumer, ConsumedRecordFactory records, BroadcastOptions options,
        TimeSpan metadataTimeout, ILogger logger)
    {
        _key = key;
        _name = key.ToString();
        _consumer = consumer;
        _records = records;
        _options = options;
        _metadataTimeout = metadataTimeout;
        _logger = logger;
    }

    public int PartitionCount { get; private set; }

    /// <summary>
    /// Creates the consumer and assigns every partition at the stream's start (the end of each
    /// partition unless <paramref name="open"/> gives offsets or a timestamp). Blocks on Kafka.
    /// </summary>
    public static BroadcastHub Start(
        BroadcastKey key, ConsumeOpen open, int partitionCount, KafkaClientFactory clients, ConsumerConfig config,
        ConsumedRecordFactory records, BroadcastOptions options, TimeSpan metadataTimeout, Func<CancellationToken, Task<int?>> partitionCountOf,
        ILogger logger)
    {
        var consumer = clients.CreateConsumer<byte[]?, byte[]?>(config);
        var hub = new BroadcastHub(key, consumer, records, options, metadataTimeout, logger);
        try
        {
            var starts = hub.ResolveStarts(open, partitionCount);
            consumer.Assign(starts.Select(s => new TopicPartitionOffset(key.Topic, s.Key, s.Value)));
            foreach (var (partition, offset) in starts)
            {
                hub._next[partition] = offset;
            }

            hub.PartitionCount = partitionCount;
            hub._partitionCountOf = partitionCountOf;
            BridgeLog.BroadcastConsumerStarted(logger, hub._name, partitionCount);
            return hub;
        }
        catch
        {
            consumer.Dispose();
            throw;
        }
    }

    /// <summary>A new stream: offered every record from now on, starting where the consumer is now.</summary>
    public BroadcastSubscriber Subscribe(int bufferedRecords)
    {
        lock (_gate)
        {
            var subscriber = new BroadcastSubscriber(bufferedRecords, _next);
            _subscribers = [.. _subscribers, subscriber];
            if (!_started)
            {
                // Polling starts with the first stream, so a stream that gave its start misses nothing.
                _started = true;
                _polling = Task.Factory.StartNew(Poll, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                _refreshing = RefreshPartitionsAsync(_partitionCountOf!, _stop.Token);
            }

            return subscriber;
        }
    }

    public void Unsubscribe(BroadcastSubscriber subscriber)
    {
        lock (_gate)
        {
            _subscribers = Array.FindAll(_subscribers, s => !ReferenceEquals(s, subscriber));
        }
    }

    private Dictionary<int, long> ResolveStarts(ConsumeOpen open, int partitionCount)
    {
        var starts = new Dictionary<int, long>();
        for (var partition = 0; partition < partitionCount; partition++)
        {
            starts[partition] = _consumer.QueryWatermarkOffsets(new TopicPartition(_key.Topic, partition), _metadataTimeout).High.Value;
        }

        foreach (var given in open.StartOffsets)
        {
            starts[given.Partition] = given.Offset;
        }

        if (open.StartTimestampMs > 0)
        {
            var timestamp = new Timestamp(open.StartTimestampMs, TimestampType.CreateTime);
            var found = _consumer.OffsetsForTimes(
                starts.Keys.Select(p => new TopicPartitionTimestamp(_key.Topic, p, timestamp)).ToList(), _metadataTimeout);
            foreach (var position in found.Where(f => f.Offset.Value >= 0))
            {
                // No record at or after the timestamp: the partition's end, as already set.
                starts[position.Partition.Value] = position.Offset.Value;
            }
        }

        return starts;
    }

    private void Poll()
    {
        var maxBatch = Math.Max(1, Math.Min(_options.MaxRecordsPerMessage, _options.BufferedRecordsPerStream));
        var taken = new List<ConsumeResult<byte[]?, byte[]?>>(maxBatch);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                AssignAddedPartitions();
                var first = _consumer.Consume(_options.PollTimeout);
                if (first?.Message is null)
                {
                    continue;
                }

                taken.Add(first);
                while (taken.Count < maxBatch && _consumer.Consume(TimeSpan.Zero) is { Message: not null } next)
                {
                    taken.Add(next);
                }

                Dispatch(taken);
                taken.Clear();
            }
        }
        catch (KafkaException e)
        {
            BridgeLog.BroadcastConsumerFailed(_logger, _name, e.Error.Reason);
            EndAll(KafkaErrorMapping.ToRpcException(e, $"Consuming {_key.Topic} failed"));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            BridgeLog.UnexpectedStreamFailure(_logger, "Broadcast", e);
            EndAll(new RpcException(new Status(StatusCode.Internal, "The bridge failed while consuming; see its log.")));
        }
    }

    private void Dispatch(List<ConsumeResult<byte[]?, byte[]?>> taken)
    {
        var records = new BroadcastRecord[taken.Count];
        for (var i = 0; i < taken.Count; i++)
        {
            var record = _records.Create(taken[i], out var size);
            records[i] = new BroadcastRecord(record, size);
        }

        BroadcastSubscriber[] subscribers;
        lock (_gate)
        {
            foreach (var result in taken)
            {
                _next[result.Partition.Value] = result.Offset.Value + 1;
            }

            subscribers = _subscribers;
        }

        var batch = new BroadcastBatch(records);
        foreach (var subscriber in subscribers)
        {
            subscriber.Offer(batch);
        }
    }

    /// <summary>Partitions added to the topic are read from their start: every record of them is new.</summary>
    private void AssignAddedPartitions()
    {
        var count = PartitionCount;
        while (_partitionCounts.TryDequeue(out var seen))
        {
            count = Math.Max(count, seen);
        }

        if (count <= PartitionCount)
        {
            return;
        }

        var added = new List<TopicPartitionOffset>();
        for (var partition = PartitionCount; partition < count; partition++)
        {
            var start = _consumer.QueryWatermarkOffsets(new TopicPartition(_key.Topic, partition), _metadataTimeout).Low;
            added.Add(new TopicPartitionOffset(_key.Topic, partition, start));
        }

        _consumer.IncrementalAssign(added);
        lock (_gate)
        {
            foreach (var position in added)
            {
                _next[position.Partition.Value] = position.Offset.Value;
                foreach (var subscriber in _subscribers)
                {
                    subscriber.StartedAt[position.Partition.Value] = position.Offset.Value;
                }
            }
        }

        PartitionCount = count;
        var list = string.Join(",", added.Select(a => a.Partition.Value));
        BridgeLog.BroadcastPartitionsAdded(_logger, _name, list);
    }

    private async Task RefreshPartitionsAsync(Func<CancellationToken, Task<int?>> partitionCountOf, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.PartitionRefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    if (await partitionCountOf(cancellationToken).ConfigureAwait(false) is { } count)
                    {
                        _partitionCounts.Enqueue(count);
                    }
                }
                catch (KafkaException e)
                {
                    // Kafka unreachable for a moment: the next tick asks again.
                    BridgeLog.KafkaClientError(_logger, _consumer.Name, e.Error.Code.ToString(), e.Error.IsFatal, e.Error.Reason);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void EndAll(Exception? failure)
    {
        BroadcastSubscriber[] subscribers;
        lock (_gate)
        {
            subscribers = _subscribers;
        }

        foreach (var subscriber in subscribers)
        {
            subscriber.End(failure);
        }
    }

    /// <summary>Stops polling, ends any stream still subscribed, closes and disposes the consumer.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _polling.ConfigureAwait(false);
        await _refreshing.ConfigureAwait(false);
        EndAll(null);
        try
        {
            _consumer.Close();
        }
        catch (KafkaException e)
        {
            BridgeLog.KafkaClientError(_logger, _consumer.Name, e.Error.Code.ToString(), e.Error.IsFatal, e.Error.Reason);
        }

        _consumer.Dispose();
        _stop.Dispose();
        BridgeLog.BroadcastConsumerReleased(_logger, _name);
    }
}
