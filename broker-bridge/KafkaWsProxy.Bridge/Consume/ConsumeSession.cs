using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using System.Threading.RateLimiting;
using Confluent.Kafka;
using Grpc.Core;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Kafka;
using KafkaWsProxy.Bridge.Logging;
using KafkaWsProxy.Bridge.Telemetry;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>
/// One Consume stream and its own Kafka consumer. Three loops:
/// the poll loop (a dedicated thread, the only one touching the consumer:
/// polls, applies commits, pauses and resumes), the request loop (client
/// commits), and the writer loop (the stream's single writer).
/// </summary>
/// <remarks>
/// Nothing is buffered without bound: records wait in a bounded buffer of
/// chunks. When it is full, or when the client has too many uncommitted
/// records, the poll loop stops taking records and waits for the writer or a commit to make room;
/// when that lasts longer than <see cref="ConsumeOptions.PauseAfterStall"/>, the
/// partitions are paused and the consumer keeps polling, so a slow client never
/// exceeds max.poll.interval.ms and never leaves its group.
/// </remarks>
internal sealed class ConsumeSession : IDisposable
{
    private readonly ConsumeOpen _open;
    private readonly ConsumeOptions _options;
    private readonly GrpcOptions _grpc;
    private readonly ILogger _logger;
    private readonly IConsumer<byte[]?, byte[]?> _consumer;
    private readonly ConsumedRecordFactory _records;
    private readonly PartitionGenerations _partitions = new();
    private readonly DeliveredOffsets _delivered = new();
    private readonly ConcurrentQueue<CommitCommand> _commits = new();
    // Records travel to the writer in chunks (one channel operation and, mostly, one
    // response message per chunk, not per record).
    private readonly Channel<List<BufferedRecord>> _buffer;
    private readonly int _chunkSize;
    // Commit results and revocation notices: small, rare, and written ahead of records.
    private readonly Channel<ConsumeResponse> _notices =
        Channel.CreateUnbounded<ConsumeResponse>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly RateLimiter? _rateLimiter;

    // Set when the writer takes records or a commit arrives: a poll loop waiting for room wakes at once.
    private readonly ManualResetEventSlim _progress = new(initialState: false);

    private readonly int _maxUncommitted;

    // The chunk being filled, or the one that found no room yet (poll loop only).
    private List<BufferedRecord> _pending = [];
    private long? _stalledSince;
    private bool _paused;
    private bool _pauseNewAssignments;

    public ConsumeSession(KafkaClientFactory clients, ConsumerConfig config, ConsumeOpen open, ConsumeOptions options, GrpcOptions grpc, ILogger logger)
    {
        _open = open;
        _options = options;
        _grpc = grpc;
        _logger = logger;
        _records = new ConsumedRecordFactory(open.KeyFormat, open.ValueFormat, grpc.MaxBatchBytes);
        _maxUncommitted = options.MaxUncommittedFor(open.MaxUncommitted);
        _chunkSize = Math.Min(options.MaxRecordsPerMessage, options.BufferedRecordsPerStream);
        _buffer = Channel.CreateBounded<List<BufferedRecord>>(new BoundedChannelOptions(Math.Max(1, options.BufferedRecordsPerStream / _chunkSize))
        {
            SingleReader = true,
            SingleWriter = true,
        });
        _rateLimiter = open.MaxRecordsPerSecond > 0 ? CreateRateLimiter(open.MaxRecordsPerSecond) : null;
        GroupId = config.GroupId;
        Gauges = new ConsumerGauges(open.Topic, config.GroupId, () => _delivered.Count);
        config.StatisticsIntervalMs = (int)options.StatisticsInterval.TotalMilliseconds;
        _consumer = clients.CreateConsumer<byte[]?, byte[]?>(config, builder => builder
            .SetStatisticsHandler((_, statistics) => Gauges.Lag = ConsumerStatistics.LagOf(statistics, open.Topic))
            .SetPartitionsAssignedHandler((_, assigned) => OnAssigned(assigned))
            .SetPartitionsRevokedHandler((_, revoked) => OnRevoked(revoked, commitFirst: true))
            .SetPartitionsLostHandler((_, lost) => OnRevoked(lost, commitFirst: false)));
    }

    public string GroupId { get; }

    /// <summary>What the stream reports to the bridge's metrics.</summary>
    public ConsumerGauges Gauges { get; }

    public long DeliveredCount { get; private set; }

    /// <summary>
    /// The topic's partitions that have no committed offset for this group
    /// (for offsetResetStrategy none). Blocks on Kafka: call before <see cref="RunAsync"/>.
    /// </summary>
    public Task<IReadOnlyList<int>> PartitionsWithoutCommittedOffsetAsync(int partitionCount, TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.Run<IReadOnlyList<int>>(() =>
        {
            var partitions = Enumerable.Range(0, partitionCount).Select(p => new TopicPartition(_open.Topic, p));
            return _consumer.Committed(partitions, timeout)
                .Where(c => c.Offset == Offset.Unset)
                .Select(c => c.Partition.Value)
                .ToList();
        }, cancellationToken);

    public async Task RunAsync(
        IAsyncStreamReader<ConsumeRequest> requests,
        IServerStreamWriter<ConsumeResponse> responses,
        CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var polling = Task.Factory.StartNew(
            () => Poll(stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        var reading = ReadRequestsAsync(requests, stop.Token);
        var writing = WriteAsync(responses, stop.Token);
        try
        {
            // The client ending its requests, a failed write, or a failed poll loop ends the stream.
            var first = await Task.WhenAny(reading, writing).ConfigureAwait(false);
            await first.ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            // The consumer is closed (group left, offsets committed) before the call ends,
            // so the same client can rejoin at once.
            await polling.ConfigureAwait(false);
            await Task.WhenAll(reading, writing).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    private void Poll(CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            _consumer.Subscribe(_open.Topic);
            while (!cancellationToken.IsCancellationRequested)
            {
                // Reset before looking for room, so a Set that comes after the look is not lost.
                _progress.Reset();
                ApplyCommits();
                TryHandOver();
                UpdatePause();
                if (!HasNoRoom)
                {
                    Fill();
                    TryHandOver();
                    continue;
                }

                // No room: wait for the writer or a commit rather than take more records.
                _progress.Wait(_options.PollTimeout, cancellationToken);
                if (_paused)
                {
                    // Serves rebalances and keeps the group membership; records fetched before the pause may still come.
                    ConsumeInto(_pending, TimeSpan.Zero);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The stream ended while the loop waited for room.
        }
        catch (ConsumeException e) when (e.Error.Code == ErrorCode.Local_NoOffset || e.Error.Code == ErrorCode.OffsetOutOfRange)
        {
            failure = new RpcException(new Status(StatusCode.FailedPrecondition,
                $"A partition of {_open.Topic} has no committed offset for group {GroupId}, and offsetResetStrategy is none."));
        }
        catch (KafkaException e)
        {
            failure = KafkaErrorMapping.ToRpcException(e, $"Consuming {_open.Topic} failed");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            BridgeLog.UnexpectedStreamFailure(_logger, "Consume", e);
            failure = new RpcException(new Status(StatusCode.Internal, "The bridge failed while consuming; see its log."));
        }
        finally
        {
            // Commits the client sent before it left still count.
            ApplyCommits();
            CloseConsumer();
            _buffer.Writer.TryComplete(failure);
        }
    }

    /// <summary>No room: the pending chunk could not be handed over, or the client owes too many commits.</summary>
    private bool HasNoRoom => _pending.Count > 0 || _delivered.Count >= _maxUncommitted;

    /// <summary>
    /// Fills a chunk: waits up to the poll timeout for the first record, then takes
    /// what librdkafka already holds, up to the chunk size and the uncommitted cap.
    /// </summary>
    private void Fill()
    {
        var limit = Math.Min(_chunkSize, _maxUncommitted - _delivered.Count);
        if (!ConsumeInto(_pending, _options.PollTimeout))
        {
            return;
        }

        while (_pending.Count < limit && ConsumeInto(_pending, TimeSpan.Zero))
        {
        }
    }

    private bool ConsumeInto(List<BufferedRecord> chunk, TimeSpan timeout)
    {
        var result = _consumer.Consume(timeout);
        if (result?.Message is null)
        {
            return false;
        }

        chunk.Add(new BufferedRecord(_records.Create(result), _partitions.Current(result.Partition.Value)));
        return true;
    }

    /// <summary>Hands the pending chunk to the writer, unless the buffer is full.</summary>
    private void TryHandOver()
    {
        if (_pending.Count == 0 || !_buffer.Writer.TryWrite(_pending))
        {
            return;
        }

        foreach (var record in _pending)
        {
            var position = record.Record.Position;
            _delivered.Delivered(position.Partition, position.Offset, position.TimestampMs);
        }

        DeliveredCount += _pending.Count;
        _pending = new List<BufferedRecord>(_chunkSize);
    }

    /// <summary>
    /// With no room the poll loop stops taking records. Only when that lasts
    /// <see cref="ConsumeOptions.PauseAfterStall"/> are the partitions paused (pausing
    /// drops librdkafka's prefetched records, which a resume must fetch again);
    /// they resume once there is room.
    /// </summary>
    private void UpdatePause()
    {
        if (!HasNoRoom)
        {
            _stalledSince = null;
        }
        else
        {
            _stalledSince ??= Stopwatch.GetTimestamp();
        }

        var shouldPause = _stalledSince is { } since && Stopwatch.GetElapsedTime(since) >= _options.PauseAfterStall;
        if (shouldPause == _paused && !(_paused && _pauseNewAssignments))
        {
            return;
        }

        var assignment = _consumer.Assignment;
        if (shouldPause)
        {
            _consumer.Pause(assignment);
            BridgeLog.ConsumerPaused(_logger, _open.ClientId, _open.Topic, _delivered.Count, _pending.Count);
        }
        else
        {
            _consumer.Resume(assignment);
            BridgeLog.ConsumerResumed(_logger, _open.ClientId, _open.Topic);
        }

        _paused = shouldPause;
        _pauseNewAssignments = false;
        Gauges.PausedPartitions = shouldPause ? assignment.Count : 0;
    }

    private void ApplyCommits()
    {
        while (_commits.TryDequeue(out var command))
        {
            var result = new CommitResult { RequestId = command.Request.RequestId };
            foreach (var offset in command.Request.Offsets)
            {
                var why = Commit(offset);
                if (why is not null)
                {
                    result.Failures.Add(new CommitFailure { Partition = offset.Partition, Offset = offset.Offset, Message = why });
                }
            }

            if (command.FromClient)
            {
                _notices.Writer.TryWrite(new ConsumeResponse { CommitResult = result });
            }
            else if (result.Failures.Count > 0)
            {
                BridgeLog.AutoCommitFailed(_logger, _open.ClientId, _open.Topic, result.Failures[0].Message);
            }
        }
    }

    private string? Commit(CommitOffset offset)
    {
        if (!_partitions.IsAssigned(offset.Partition))
        {
            return $"Partition {offset.Partition} is not assigned to this socket (it may have been rebalanced to another).";
        }

        var why = _delivered.TryCommit(offset.Partition, offset.Offset, offset.TimestampMs);
        if (why is not null)
        {
            return why;
        }

        try
        {
            _consumer.StoreOffset(new TopicPartitionOffset(_open.Topic, offset.Partition, offset.Offset + 1));
            return null;
        }
        catch (KafkaException e)
        {
            return $"Kafka refused the commit: {e.Error.Code}.";
        }
    }

    private IEnumerable<TopicPartitionOffset> OnAssigned(List<TopicPartition> assigned)
    {
        foreach (var partition in assigned)
        {
            _partitions.Assign(partition.Partition.Value);
        }

        _pauseNewAssignments = _paused;
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var list = PartitionList(assigned.Select(p => p.Partition));
            BridgeLog.PartitionsAssigned(_logger, _open.ClientId, _open.Topic, list);
        }

        return assigned.Select(p => new TopicPartitionOffset(p, Offset.Unset));
    }

    private void OnRevoked(List<TopicPartitionOffset> revoked, bool commitFirst)
    {
        if (commitFirst)
        {
            CommitStoredOffsets();
        }

        foreach (var partition in revoked)
        {
            var number = partition.Partition.Value;
            _partitions.Revoke(number);
            _delivered.Forget(number);
        }

        var notice = new PartitionsRevoked();
        notice.Partitions.AddRange(revoked.Select(p => p.Partition.Value));
        _notices.Writer.TryWrite(new ConsumeResponse { Revoked = notice });

        // Records of revoked partitions still waiting here belong to their next owner now.
        _pending.RemoveAll(r => !_partitions.IsAssigned(r.Record.Position.Partition));
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var list = PartitionList(revoked.Select(p => p.Partition));
            BridgeLog.PartitionsRevoked(_logger, _open.ClientId, _open.Topic, list);
        }
    }

    private static string PartitionList(IEnumerable<Partition> partitions) => string.Join(",", partitions.Select(p => p.Value));

    private void CommitStoredOffsets()
    {
        try
        {
            _consumer.Commit();
        }
        catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_NoOffset)
        {
            // Nothing stored since the last commit.
        }
        catch (KafkaException e)
        {
            BridgeLog.KafkaClientError(_logger, _consumer.Name, e.Error.Code.ToString(), e.Error.IsFatal, e.Error.Reason);
        }
    }

    private void CloseConsumer()
    {
        try
        {
            // Commits what was stored and leaves the group at once.
            _consumer.Close();
        }
        catch (KafkaException e)
        {
            BridgeLog.KafkaClientError(_logger, _consumer.Name, e.Error.Code.ToString(), e.Error.IsFatal, e.Error.Reason);
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

            _commits.Enqueue(new CommitCommand(request.Commit, FromClient: true));
            _progress.Set();
        }
    }

    private async Task WriteAsync(IServerStreamWriter<ConsumeResponse> responses, CancellationToken cancellationToken)
    {
        var records = _buffer.Reader;
        var notices = _notices.Reader;
        var batch = new ConsumedRecordBatch();
        var batchBytes = 0;
        while (true)
        {
            while (notices.TryRead(out var notice))
            {
                await responses.WriteAsync(notice, cancellationToken).ConfigureAwait(false);
            }

            while (batch.Records.Count < _options.MaxRecordsPerMessage && records.TryRead(out var chunk))
            {
                // Room for the poll loop's next chunk while this one is sent.
                _progress.Set();
                foreach (var buffered in chunk)
                {
                    if (_rateLimiter is not null)
                    {
                        await AcquireAsync(responses, batch, cancellationToken).ConfigureAwait(false);
                        batchBytes = batch.Records.Count == 0 ? 0 : batchBytes;
                    }

                    if (!_partitions.IsCurrent(buffered.Record.Position.Partition, buffered.Generation))
                    {
                        continue;
                    }

                    // Bounded by bytes as well as records: the message stays under Grpc:MaxMessageBytes.
                    var size = GrpcOptions.SizeInBatch(buffered.Record);
                    if (batch.Records.Count > 0 && batchBytes + size > _grpc.MaxBatchBytes)
                    {
                        batch = await SendAsync(responses, batch, cancellationToken).ConfigureAwait(false);
                        batchBytes = 0;
                    }

                    batch.Records.Add(buffered.Record);
                    batchBytes += size;
                    if (batch.Records.Count >= _options.MaxRecordsPerMessage)
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
                // The poll loop ended: rethrow its failure (an RpcException), or end quietly.
                await records.Completion.ConfigureAwait(false);
                return;
            }

            await Task.WhenAny(
                records.WaitToReadAsync(cancellationToken).AsTask(),
                notices.WaitToReadAsync(cancellationToken).AsTask()).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Takes a rate-limit permit; sends the partial batch first if it has to wait.</summary>
    private async ValueTask AcquireAsync(IServerStreamWriter<ConsumeResponse> responses, ConsumedRecordBatch batch, CancellationToken cancellationToken)
    {
        using var lease = _rateLimiter!.AttemptAcquire();
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
            using var waited = await _rateLimiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
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
        if (_open.AutoCommit)
        {
            _commits.Enqueue(new CommitCommand(LastOffsets(batch), FromClient: false));
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

    /// <summary>Smooth rather than bursty: a tenth of the rate every 100 ms.</summary>
    private static TokenBucketRateLimiter CreateRateLimiter(int perSecond)
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

    public void Dispose()
    {
        _consumer.Dispose();
        _rateLimiter?.Dispose();
        _progress.Dispose();
    }
}
