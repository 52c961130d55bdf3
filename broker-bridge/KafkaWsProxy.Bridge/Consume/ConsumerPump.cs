using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Confluent.Kafka;
using Grpc.Core;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Kafka;
using KafkaWsProxy.Bridge.Logging;
using KafkaWsProxy.Bridge.Telemetry;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>
/// The Kafka side of one Consume stream: the only code that touches its consumer.
/// A poller calls <see cref="Step"/> again and again; each step applies the
/// client's commits, hands read records to the writer, pauses or resumes, and
/// reads more records while there is room.
/// </summary>
/// <remarks>
/// Nothing is buffered without bound: records wait in a bounded buffer of chunks.
/// When it is full, or when the client has too many uncommitted records, the pump
/// stops taking records until the writer or a commit makes room (and calls
/// <see cref="Wake"/>); when that lasts <see cref="ConsumeOptions.PauseAfterStall"/>,
/// the partitions are paused and the consumer is still polled, so a slow client
/// never exceeds max.poll.interval.ms and never leaves its group.
/// </remarks>
internal sealed class ConsumerPump : IStreamConsumerListener
{
    private readonly IStreamConsumer _consumer;
    private readonly ConsumeOpen _open;
    private readonly ILogger _logger;
    private readonly ConsumedRecordFactory _records;
    private readonly DeliveredOffsets _delivered = new();
    private readonly ConcurrentQueue<CommitCommand> _commits = new();
    private readonly CommitApplier _commitApplier;
    private readonly RebalanceHandler _rebalances;
    private readonly StallPause _pause;
    private readonly int _chunkSize;
    private readonly int _maxUncommitted;
    private readonly string _groupId;

    // Records travel to the writer in chunks (one channel operation and, mostly, one
    // response message per chunk, not per record).
    private readonly Channel<List<BufferedRecord>> _buffer;

    // Commit results and revocation notices: small, rare, and written ahead of records.
    private readonly Channel<ConsumeResponse> _notices =
        Channel.CreateUnbounded<ConsumeResponse>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // The chunk being filled, or the one that found no room yet.
    private List<BufferedRecord> _pending = [];
    private Exception? _failure;
    private volatile bool _stopRequested;
    private long _deliveredCount;

    public ConsumerPump(
        IStreamConsumer consumer, ConsumeOpen open, string groupId, ConsumeOptions options, int maxRecordBytes, TimeProvider time, ILogger logger)
    {
        _consumer = consumer;
        _open = open;
        _groupId = groupId;
        _logger = logger;
        _records = new ConsumedRecordFactory(open.KeyFormat, open.ValueFormat, maxRecordBytes);
        _maxUncommitted = options.MaxUncommittedFor(open.MaxUncommitted);
        _chunkSize = Math.Min(options.MaxRecordsPerMessage, options.BufferedRecordsPerStream);
        _buffer = Channel.CreateBounded<List<BufferedRecord>>(new BoundedChannelOptions(Math.Max(1, options.BufferedRecordsPerStream / _chunkSize))
        {
            SingleReader = true,
            SingleWriter = true,
        });
        _pause = new StallPause(options.PauseAfterStall, time);
        _commitApplier = new CommitApplier(consumer, open.Topic, Partitions, _delivered);
        _rebalances = new RebalanceHandler(consumer, open, Partitions, _delivered, _pause, _notices.Writer, logger);
        Gauges = new ConsumerGauges(open.Topic, groupId, () => _delivered.Count);
        consumer.Listen(this);
    }

    /// <summary>Which partitions the stream owns; the writer checks each record against it.</summary>
    public PartitionGenerations Partitions { get; } = new();

    public ConsumerGauges Gauges { get; }

    public ChannelReader<List<BufferedRecord>> Records => _buffer.Reader;

    public ChannelReader<ConsumeResponse> Notices => _notices.Reader;

    public long DeliveredCount => Interlocked.Read(ref _deliveredCount);

    /// <summary>Tells the pump's poller there is work: a commit came, the writer made room, or the stream ends.</summary>
    public Action Wake { get; set; } = static () => { };

    /// <summary>The pump stopped taking records: the stream ends, or Kafka failed it.</summary>
    public bool IsDone => _stopRequested || _failure is not null;

    /// <summary>Completes once <see cref="Finish"/> has closed the consumer.</summary>
    public Task Finished => _finished.Task;

    /// <summary>No room: the pending chunk could not be handed over, or the client owes too many commits.</summary>
    public bool HasNoRoom => _pending.Count > 0 || _delivered.Count >= _maxUncommitted;

    public void Enqueue(CommitCommand command)
    {
        _commits.Enqueue(command);
        Wake();
    }

    public void RoomMade() => Wake();

    public void RequestStop()
    {
        _stopRequested = true;
        Wake();
    }

    public void Start() => Guard(() => _consumer.Subscribe(_open.Topic));

    /// <summary>
    /// One round: commits, hand-over, pause, then reads while there is room, waiting
    /// at most <paramref name="firstRecordWait"/> for the first record. True when
    /// it moved records or applied commits.
    /// </summary>
    public bool Step(TimeSpan firstRecordWait)
    {
        var worked = false;
        Guard(() =>
        {
            worked = ApplyCommits() > 0;
            worked |= TryHandOver();
            UpdatePause();
            if (!HasNoRoom)
            {
                worked |= Fill(firstRecordWait);
                TryHandOver();
            }
            else if (_pause.IsPaused)
            {
                // Serves rebalances and keeps the group membership; records fetched before the pause may still come.
                worked |= ConsumeInto(TimeSpan.Zero);
            }
        });
        return worked;
    }

    /// <summary>
    /// Applies the last commits, closes the consumer (offsets committed, group left)
    /// and ends the record buffer, with the failure if there was one. Called once,
    /// by the thread that owns the consumer.
    /// </summary>
    public void Finish()
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            // Commits the client sent before it left still count.
            ApplyCommits();
            _consumer.Close();
            var closedAfterMs = (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            BridgeLog.ConsumerClosed(_logger, _open.ClientId, _open.Topic, closedAfterMs);
        }
        catch (KafkaException e)
        {
            BridgeLog.KafkaClientError(_logger, _consumer.Name, e.Error.Code.ToString(), e.Error.IsFatal, e.Error.Reason);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            BridgeLog.UnexpectedStreamFailure(_logger, "Consume", e);
        }
        finally
        {
            _buffer.Writer.TryComplete(_failure);
            _finished.TrySetResult();
        }
    }

    /// <summary>Runs a step of work; a failure ends the pump with the status the client sees.</summary>
    private void Guard(Action work)
    {
        if (_failure is not null)
        {
            return;
        }

        try
        {
            work();
        }
        catch (ConsumeException e) when (e.Error.Code == ErrorCode.Local_NoOffset || e.Error.Code == ErrorCode.OffsetOutOfRange)
        {
            _failure = new RpcException(new Status(StatusCode.FailedPrecondition,
                $"A partition of {_open.Topic} has no committed offset for group {_groupId}, and offsetResetStrategy is none."));
        }
        catch (KafkaException e)
        {
            _failure = KafkaErrorMapping.ToRpcException(e, $"Consuming {_open.Topic} failed");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            BridgeLog.UnexpectedStreamFailure(_logger, "Consume", e);
            _failure = new RpcException(new Status(StatusCode.Internal, "The bridge failed while consuming; see its log."));
        }
    }

    /// <summary>Waits up to <paramref name="firstRecordWait"/> for a record, then takes what librdkafka already holds, up to the chunk size and the uncommitted cap.</summary>
    private bool Fill(TimeSpan firstRecordWait)
    {
        var limit = Math.Min(_chunkSize, _maxUncommitted - _delivered.Count);
        if (!ConsumeInto(firstRecordWait))
        {
            return false;
        }

        while (_pending.Count < limit && ConsumeInto(TimeSpan.Zero))
        {
        }

        return true;
    }

    private bool ConsumeInto(TimeSpan timeout)
    {
        var result = _consumer.Consume(timeout);
        if (result?.Message is null)
        {
            return false;
        }

        var record = _records.Create(result, out var size);
        _pending.Add(new BufferedRecord(record, size, Partitions.Current(result.Partition.Value)));
        return true;
    }

    /// <summary>Hands the pending chunk to the writer, unless the buffer is full.</summary>
    private bool TryHandOver()
    {
        if (_pending.Count == 0 || !_buffer.Writer.TryWrite(_pending))
        {
            return false;
        }

        foreach (var record in _pending)
        {
            var position = record.Record.Position;
            _delivered.Delivered(position.Partition, position.Offset, position.TimestampMs);
        }

        Interlocked.Add(ref _deliveredCount, _pending.Count);
        _pending = new List<BufferedRecord>(_chunkSize);
        return true;
    }

    private void UpdatePause()
    {
        if (_pause.Decide(HasNoRoom) is not { } pause)
        {
            return;
        }

        var assignment = _consumer.Assignment;
        if (pause)
        {
            _consumer.Pause(assignment);
            BridgeLog.ConsumerPaused(_logger, _open.ClientId, _open.Topic, _delivered.Count, _pending.Count);
        }
        else
        {
            _consumer.Resume(assignment);
            BridgeLog.ConsumerResumed(_logger, _open.ClientId, _open.Topic);
        }

        Gauges.PausedPartitions = pause ? assignment.Count : 0;
    }

    private int ApplyCommits()
    {
        var applied = 0;
        while (_commits.TryDequeue(out var command))
        {
            applied++;
            var result = _commitApplier.Apply(command.Request);
            if (command.WantsResult)
            {
                _notices.Writer.TryWrite(new ConsumeResponse { CommitResult = result });
            }
            else if (result.Failures.Count > 0)
            {
                BridgeLog.AutoCommitFailed(_logger, _open.ClientId, _open.Topic, result.Failures[0].Message);
            }
        }

        return applied;
    }

    void IStreamConsumerListener.OnAssigned(IReadOnlyList<TopicPartition> assigned) => _rebalances.Assigned(assigned);

    void IStreamConsumerListener.OnRevoked(IReadOnlyList<TopicPartitionOffset> revoked, bool lost) =>
        _rebalances.Revoked(revoked, lost, _pending);

    void IStreamConsumerListener.OnStatistics(string json) => Gauges.Lag = ConsumerStatistics.LagOf(json, _open.Topic);
}
