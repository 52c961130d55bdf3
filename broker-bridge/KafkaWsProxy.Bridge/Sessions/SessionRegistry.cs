using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using Grpc.Core;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Kafka;
using KafkaWsProxy.Bridge.Logging;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Bridge.Sessions;

/// <summary>
/// The session registry every bridge on the same Kafka shares, kept in a
/// compacted topic. To open a session a bridge appends a claim, reads the topic
/// up to that claim, and counts the live sessions of the scope ahead of it:
/// the topic's order is the arbiter, so two bridges never both take the last
/// slot. Owners heartbeat their entries; a stopped bridge removes them, a
/// crashed one's entries expire after the TTL.
/// </summary>
internal sealed class SessionRegistry : IHostedService, IDisposable
{
    private readonly SessionsOptions _options;
    private readonly KafkaClientConfigFactory _configs;
    private readonly KafkaClientFactory _clients;
    private readonly RegistryTopic _topic;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionRegistry> _logger;
    private readonly RegistryView _view;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, long> _readUpTo = [];
    private readonly List<(int Partition, long Offset, TaskCompletionSource Reached)> _waiters = [];
    private readonly ConcurrentDictionary<string, SessionEntry> _owned = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SessionLease> _leases = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    private IProducer<string, byte[]?>? _producer;
    private int _partitionCount;
    private Task? _reader;
    private Task? _heartbeats;

    public SessionRegistry(
        IOptions<SessionsOptions> options,
        KafkaClientConfigFactory configs,
        KafkaClientFactory clients,
        RegistryTopic topic,
        TimeProvider time,
        ILogger<SessionRegistry> logger)
    {
        _options = options.Value;
        _configs = configs;
        _clients = clients;
        _topic = topic;
        _time = time;
        _logger = logger;
        _view = new RegistryView(_options.Ttl);
        BridgeId = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}";
    }

    /// <summary>Identifies this bridge process in the entries it owns.</summary>
    public string BridgeId { get; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _partitionCount = await _topic.EnsureAsync(cancellationToken).ConfigureAwait(false);
        _producer = _clients.CreateProducer<string, byte[]?>(_configs.CreateRegistryProducerConfig());
        var consumer = _clients.CreateConsumer<string, byte[]?>(_configs.CreateRegistryConsumerConfig());
        consumer.Assign(Enumerable.Range(0, _partitionCount).Select(p => new TopicPartitionOffset(_options.Topic, p, Offset.Beginning)));
        _reader = Task.Factory.StartNew(() => Read(consumer), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _heartbeats = HeartbeatAsync(_stopping.Token);
        BridgeLog.SessionRegistryStarted(_logger, _options.Topic, _partitionCount, BridgeId);
    }

    /// <summary>
    /// Registers a session, or throws RESOURCE_EXHAUSTED (limit) / UNAVAILABLE
    /// (the registry lost or did not answer the claim). A live session of the same
    /// member, on any bridge, is superseded once this one is granted. The lease
    /// must be disposed when the socket ends.
    /// </summary>
    /// <param name="limit">Distinct members allowed in the scope; 0 = unlimited.</param>
    public async Task<SessionLease> ClaimAsync(SessionKind kind, string scope, string member, int limit, CancellationToken cancellationToken)
    {
        var entry = new SessionEntry(kind, scope, member, BridgeId, Guid.NewGuid().ToString("N"));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.ClaimTimeout);
        try
        {
            var partition = PartitionOf(entry.ScopeKey);
            // Owned before it is written: whatever happens next, release removes it.
            _owned[entry.Key] = entry;
            var written = await WriteAsync(entry, partition, remove: false, deadline.Token).ConfigureAwait(false);
            await WaitUntilReadAsync(partition, written, deadline.Token).ConfigureAwait(false);

            ClaimRefusal? refusal;
            lock (_gate)
            {
                refusal = _view.Decide(entry, limit, NowMs);
            }

            if (refusal is { } refused)
            {
                throw Refuse(refused, entry, limit);
            }

            // Granted: say so in the log, which is also the first heartbeat (and lets
            // other bridges fence older sessions of the same member).
            var granted = entry with { Granted = true };
            _owned[entry.Key] = granted;
            await WriteAsync(granted, partition, remove: false, deadline.Token).ConfigureAwait(false);
            var lease = new SessionLease(this, granted);
            lock (_gate)
            {
                _leases[entry.Key] = lease;
                // A newer session of the member granted while this one was being granted
                // was read before this lease could be fenced: fence it now.
                FenceIfSuperseded(lease);
            }

            BridgeLog.SessionGranted(_logger, kind, scope, member);
            return lease;
        }
        catch (Exception e)
        {
            // Refused, failed or abandoned: a claim never outlives its open.
            await ReleaseAsync(entry).ConfigureAwait(false);
            if (e is KafkaException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "The session registry did not answer in time; try again."));
            }

            throw;
        }
    }

    /// <summary>The one place a registry refusal becomes the status the contract names.</summary>
    private static RpcException Refuse(ClaimRefusal refusal, SessionEntry claim, int limit) => refusal switch
    {
        ClaimRefusal.LimitReached => new RpcException(new Status(StatusCode.ResourceExhausted, claim.Kind == SessionKind.Consumer
            ? $"Consumer session limit for group '{claim.Scope}' reached: at most {limit} socket(s)."
            : $"Producer session limit for client '{claim.Scope}' reached: at most {limit} socket(s).")),
        ClaimRefusal.ClaimLost => new RpcException(new Status(StatusCode.Unavailable,
            "The session registry lost the claim before deciding it; try again.")),
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, null),
    };

    internal async Task ReleaseAsync(SessionEntry entry)
    {
        _leases.TryRemove(entry.Key, out _);
        if (!_owned.TryRemove(entry.Key, out _) || _producer is null)
        {
            return;
        }

        try
        {
            await WriteAsync(entry, PartitionOf(entry.ScopeKey), remove: true, CancellationToken.None).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            // Its heartbeats have stopped: it expires after the TTL.
            BridgeLog.KafkaClientError(_logger, "session-registry", e.Error.Code.ToString(), e.Error.IsFatal, e.Error.Reason);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        // A clean stop frees this bridge's slots at once.
        foreach (var entry in _owned.Values.ToList())
        {
            await ReleaseAsync(entry).ConfigureAwait(false);
        }

        _producer?.Flush(TimeSpan.FromSeconds(5));
        if (_heartbeats is not null)
        {
            await _heartbeats.ConfigureAwait(false);
        }

        if (_reader is not null)
        {
            await _reader.ConfigureAwait(false);
        }
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private int PartitionOf(string scopeKey)
    {
        // FNV-1a: stable across processes and runs (string.GetHashCode is not).
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(scopeKey))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash % (uint)_partitionCount);
    }

    private async Task<long> WriteAsync(SessionEntry entry, int partition, bool remove, CancellationToken cancellationToken)
    {
        var message = new Message<string, byte[]?>
        {
            Key = entry.Key,
            Value = remove ? null : JsonSerializer.SerializeToUtf8Bytes(entry, SessionJsonContext.Default.SessionEntry),
            Timestamp = new Timestamp(_time.GetUtcNow()),
        };
        var result = await _producer!.ProduceAsync(new TopicPartition(_options.Topic, partition), message, cancellationToken).ConfigureAwait(false);
        return result.Offset.Value;
    }

    private Task WaitUntilReadAsync(int partition, long offset, CancellationToken cancellationToken)
    {
        TaskCompletionSource reached;
        lock (_gate)
        {
            if (_readUpTo.TryGetValue(partition, out var read) && read >= offset)
            {
                return Task.CompletedTask;
            }

            reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((partition, offset, reached));
        }

        return reached.Task.WaitAsync(cancellationToken);
    }

    private void Read(IConsumer<string, byte[]?> consumer)
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                ConsumeResult<string, byte[]?>? result;
                try
                {
                    result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                }
                catch (ConsumeException e)
                {
                    BridgeLog.KafkaClientError(_logger, consumer.Name, e.Error.Code.ToString(), e.Error.IsFatal, e.Error.Reason);
                    continue;
                }

                if (result?.Message is null)
                {
                    continue;
                }

                Apply(result);
            }
        }
        finally
        {
            consumer.Close();
            consumer.Dispose();
        }
    }

    private void Apply(ConsumeResult<string, byte[]?> result)
    {
        SessionEntry? entry = null;
        if (result.Message.Value is { } value)
        {
            try
            {
                entry = JsonSerializer.Deserialize(value, SessionJsonContext.Default.SessionEntry);
            }
            catch (JsonException)
            {
                // Not ours (someone wrote to the topic): ignore it.
            }
        }

        var partition = result.Partition.Value;
        var offset = result.Offset.Value;
        lock (_gate)
        {
            if (entry is not null || result.Message.Value is null)
            {
                _view.Apply(result.Message.Key, entry, offset, result.Message.Timestamp.UnixTimestampMs);
            }

            _readUpTo[partition] = offset;
            if (entry is { Granted: true })
            {
                FenceOlderLeasesOf(entry);
            }

            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                var waiter = _waiters[i];
                if (waiter.Partition == partition && waiter.Offset <= offset)
                {
                    waiter.Reached.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>A newer session of a member this bridge holds: the held one is fenced. Under the lock.</summary>
    private void FenceOlderLeasesOf(SessionEntry newer)
    {
        foreach (var lease in _leases.Values)
        {
            var held = lease.Entry;
            if (held.Key != newer.Key && held.ScopeKey == newer.ScopeKey && held.Member == newer.Member)
            {
                FenceIfSuperseded(lease);
            }
        }
    }

    /// <summary>Under the lock.</summary>
    private void FenceIfSuperseded(SessionLease lease)
    {
        var held = lease.Entry;
        if (_view.SupersededBy(held, NowMs) is { } newer && lease.MarkSuperseded())
        {
            BridgeLog.SessionSuperseded(_logger, held.Kind, held.Scope, held.Member, newer.BridgeId);
        }
    }

    private async Task HeartbeatAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                // All at once, not one after another: librdkafka batches them, and a round
                // of thousands of sessions still ends well within the interval.
                await Task.WhenAll(_owned.Values.Select(entry => RenewAsync(entry, cancellationToken))).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task RenewAsync(SessionEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(entry, PartitionOf(entry.ScopeKey), remove: false, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            BridgeLog.KafkaClientError(_logger, "session-registry", e.Error.Code.ToString(), e.Error.IsFatal, e.Error.Reason);
        }
    }

    public void Dispose()
    {
        _producer?.Dispose();
        _stopping.Dispose();
    }
}
