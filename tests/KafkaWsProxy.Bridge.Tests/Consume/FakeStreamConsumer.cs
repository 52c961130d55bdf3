using System.Text;
using Confluent.Kafka;
using KafkaWsProxy.Bridge.Consume;

namespace KafkaWsProxy.Bridge.Tests.Consume;

/// <summary>
/// A consumer without librdkafka: records and rebalances are scripted by the test.
/// Like Confluent's consumer it calls the listener back inside <see cref="Consume"/>
/// and <see cref="Close"/>. It never waits: a Consume with no record returns null at once.
/// Thread-safe, and it remembers every thread that called it.
/// </summary>
internal sealed class FakeStreamConsumer(string topic = "t") : IStreamConsumer
{
    private readonly Lock _gate = new();
    private readonly List<ConsumeResult<byte[]?, byte[]?>> _records = [];
    private readonly Queue<Action<IStreamConsumerListener>> _beforeNextConsume = new();
    private readonly HashSet<int> _paused = [];
    private readonly List<TopicPartitionOffset> _stored = [];
    private readonly HashSet<int> _callingThreads = [];
    private IStreamConsumerListener? _listener;
    private List<TopicPartition> _assignment = [];
    private bool _closing;

    public string Name => "fake";

    public List<TopicPartition> Assignment
    {
        get
        {
            lock (_gate)
            {
                Called();
                return [.. _assignment];
            }
        }
    }

    public string? Subscribed { get; private set; }

    public int CommitCalls { get; private set; }

    public int CloseCalls { get; private set; }

    /// <summary>When set, <see cref="Close"/> blocks until it is set, as a Close waiting on the group does.</summary>
    public ManualResetEventSlim? HoldClose { get; set; }

    public int DisposeCalls { get; private set; }

    /// <summary>True when <see cref="Dispose"/> was called while a <see cref="Close"/> still ran.</summary>
    public bool DisposedWhileClosing { get; private set; }

    public int ConsumeCalls { get; private set; }

    /// <summary>The offsets stored when <see cref="Commit"/> was last called.</summary>
    public IReadOnlyList<TopicPartitionOffset> CommittedAtLastCommit { get; private set; } = [];

    public Func<Exception>? FailNextConsume { get; set; }

    public IReadOnlyList<TopicPartitionOffset> Stored
    {
        get
        {
            lock (_gate)
            {
                return [.. _stored];
            }
        }
    }

    public IReadOnlySet<int> Paused
    {
        get
        {
            lock (_gate)
            {
                return _paused.ToHashSet();
            }
        }
    }

    public IReadOnlySet<int> CallingThreads
    {
        get
        {
            lock (_gate)
            {
                return _callingThreads.ToHashSet();
            }
        }
    }

    public void Add(int partition, long offset, string value)
    {
        lock (_gate)
        {
            _records.Add(new ConsumeResult<byte[]?, byte[]?>
            {
                TopicPartitionOffset = new TopicPartitionOffset(topic, partition, offset),
                Message = new Message<byte[]?, byte[]?>
                {
                    Value = Encoding.UTF8.GetBytes(value),
                    Timestamp = new Timestamp(1_000 + offset, TimestampType.CreateTime),
                },
            });
        }
    }

    /// <summary>Assigns the partitions now (as if the group had just formed), calling the listener.</summary>
    public void AssignNow(params int[] partitions)
    {
        var added = partitions.Select(p => new TopicPartition(topic, p)).ToList();
        lock (_gate)
        {
            _assignment.AddRange(added);
        }

        _listener!.OnAssigned(added);
    }

    /// <summary>The next Consume call revokes (or loses) the partitions first, as a rebalance inside poll does.</summary>
    public void RevokeOnNextConsume(bool lost, params int[] partitions)
    {
        lock (_gate)
        {
            _beforeNextConsume.Enqueue(listener =>
            {
                var revoked = partitions.Select(p => new TopicPartitionOffset(topic, p, Offset.Unset)).ToList();
                lock (_gate)
                {
                    _assignment = _assignment.Where(a => !partitions.Contains(a.Partition.Value)).ToList();
                }

                listener.OnRevoked(revoked, lost);
            });
        }
    }

    public void Listen(IStreamConsumerListener listener) => _listener = listener;

    public void Subscribe(string topicName)
    {
        lock (_gate)
        {
            Called();
            Subscribed = topicName;
        }
    }

    public ConsumeResult<byte[]?, byte[]?>? Consume(TimeSpan timeout)
    {
        Action<IStreamConsumerListener>? rebalance;
        lock (_gate)
        {
            Called();
            ConsumeCalls++;
            if (FailNextConsume is { } fail)
            {
                FailNextConsume = null;
                throw fail();
            }

            _beforeNextConsume.TryDequeue(out rebalance);
        }

        rebalance?.Invoke(_listener!);
        lock (_gate)
        {
            var next = _records.FirstOrDefault(r =>
                _assignment.Any(a => a.Partition == r.Partition) && !_paused.Contains(r.Partition.Value));
            if (next is not null)
            {
                _records.Remove(next);
            }

            return next;
        }
    }

    public void Pause(IEnumerable<TopicPartition> partitions)
    {
        lock (_gate)
        {
            Called();
            _paused.UnionWith(partitions.Select(p => p.Partition.Value));
        }
    }

    public void Resume(IEnumerable<TopicPartition> partitions)
    {
        lock (_gate)
        {
            Called();
            _paused.ExceptWith(partitions.Select(p => p.Partition.Value));
        }
    }

    public void StoreOffset(TopicPartitionOffset offset)
    {
        lock (_gate)
        {
            Called();
            _stored.Add(offset);
        }
    }

    public void Commit()
    {
        lock (_gate)
        {
            Called();
            CommitCalls++;
            CommittedAtLastCommit = [.. _stored];
        }
    }

    public List<TopicPartitionOffset> Committed(IEnumerable<TopicPartition> partitions, TimeSpan timeout) =>
        partitions.Select(p => new TopicPartitionOffset(p, Offset.Unset)).ToList();

    /// <summary>Not counted in <see cref="CallingThreads"/>: a stream's consumer is closed off its poller's thread.</summary>
    public void Close()
    {
        lock (_gate)
        {
            CloseCalls++;
            _closing = true;
        }

        HoldClose?.Wait();
        lock (_gate)
        {
            _closing = false;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            DisposeCalls++;
            DisposedWhileClosing |= _closing;
        }
    }

    private void Called() => _callingThreads.Add(Environment.CurrentManagedThreadId);
}
