using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Grpc.Core;

namespace KafkaWsProxy.Bridge.Telemetry;

/// <summary>
/// The bridge's own metrics (Prometheus names: dots become underscores, counters end in
/// _total, durations in _seconds). Labels are few and bounded: a stream kind, a status or
/// error code; never a clientId. Consumer lag alone is per topic and group.
/// </summary>
internal sealed class BridgeMetrics
{
    public const string Produce = "produce";
    public const string Consume = "consume";
    public const string Broadcast = "broadcast";

    // Kafka acknowledges in milliseconds to tens of seconds (delivery.timeout.ms).
    private static readonly double[] s_produceBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];

    private readonly UpDownCounter<long> _openStreams;
    private readonly Counter<long> _streamsRefused;
    private readonly Counter<long> _streamsDrained;
    private readonly UpDownCounter<long> _registrySessions;
    private readonly Counter<long> _registryRefusals;
    private readonly Counter<long> _recordsProduced;
    private readonly Counter<long> _produceErrors;
    private readonly Histogram<double> _produceDuration;
    private readonly Counter<long> _recordsConsumed;
    private readonly UpDownCounter<long> _broadcastConsumers;
    private readonly Counter<long> _broadcastFellBehind;

    // The consume streams open now, read when metrics are collected.
    private readonly ConcurrentDictionary<ConsumerGauges, bool> _consumers = new();

    public BridgeMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(BridgeTelemetry.Name);
        _openStreams = meter.CreateUpDownCounter<long>("kafkawsproxy.bridge.streams.open", "{stream}", "Open gRPC streams, by kind.");
        _streamsRefused = meter.CreateCounter<long>("kafkawsproxy.bridge.streams.refused", "{stream}",
            "Stream opens refused, by kind and gRPC status.");
        _streamsDrained = meter.CreateCounter<long>("kafkawsproxy.bridge.streams.drained", "{stream}",
            "Streams ended because the bridge is stopping (the edge tells its client to reconnect).");
        _registrySessions = meter.CreateUpDownCounter<long>("kafkawsproxy.bridge.registry.sessions", "{session}",
            "Sessions this bridge holds in the session registry, by kind.");
        _registryRefusals = meter.CreateCounter<long>("kafkawsproxy.bridge.registry.refusals", "{session}",
            "Stream opens the session registry refused, by kind and gRPC status (ResourceExhausted: limit, AlreadyExists: taken).");
        _recordsProduced = meter.CreateCounter<long>("kafkawsproxy.bridge.records.produced", "{record}", "Records Kafka acknowledged.");
        _produceErrors = meter.CreateCounter<long>("kafkawsproxy.bridge.produce.errors", "{record}",
            "Records not produced, by error code (Kafka's error name, or the contract's code when Kafka was not asked).");
        _produceDuration = meter.CreateHistogram("kafkawsproxy.bridge.produce.duration", "s",
            "From a record handed to the Kafka producer to its delivery report.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_produceBuckets });
        _recordsConsumed = meter.CreateCounter<long>("kafkawsproxy.bridge.records.consumed", "{record}", "Records sent to the edge.");
        _broadcastConsumers = meter.CreateUpDownCounter<long>("kafkawsproxy.bridge.broadcast.consumers", "{consumer}",
            "Shared Kafka consumers of broadcast streams open now (one per topic, formats, isolation level and credentials).");
        _broadcastFellBehind = meter.CreateCounter<long>("kafkawsproxy.bridge.broadcast.fell_behind", "{stream}",
            "Broadcast streams ended because they fell behind their buffer (Broadcast:BufferedRecordsPerStream).");
        meter.CreateObservableGauge("kafkawsproxy.bridge.records.uncommitted", () => Sum(c => c.Uncommitted), "{record}",
            "Records delivered to clients and not yet committed by them.");
        meter.CreateObservableGauge("kafkawsproxy.bridge.partitions.paused", () => Sum(c => c.PausedPartitions), "{partition}",
            "Partitions paused because their clients have no room.");
        meter.CreateObservableGauge("kafkawsproxy.bridge.consumer.lag", ObserveLag, "{record}",
            "Records in Kafka past the group's committed offset, per topic and group (librdkafka statistics; Consume:StatisticsInterval).");
    }

    public void StreamOpened(string kind, bool registered)
    {
        _openStreams.Add(1, Kind(kind));
        if (registered)
        {
            _registrySessions.Add(1, Kind(kind));
        }
    }

    public void StreamClosed(string kind, bool registered)
    {
        _openStreams.Add(-1, Kind(kind));
        if (registered)
        {
            _registrySessions.Add(-1, Kind(kind));
        }
    }

    public void StreamRefused(string kind, StatusCode status)
    {
        var code = new KeyValuePair<string, object?>("code", status.ToString());
        _streamsRefused.Add(1, Kind(kind), code);
        if (status is StatusCode.ResourceExhausted or StatusCode.AlreadyExists)
        {
            _registryRefusals.Add(1, Kind(kind), code);
        }
    }

    public void StreamDrained() => _streamsDrained.Add(1);

    public void RecordsProduced(int count) => _recordsProduced.Add(count);

    public void ProduceFailed(string code) => _produceErrors.Add(1, new KeyValuePair<string, object?>("code", code));

    public void Delivered(TimeSpan sinceHandedToKafka) => _produceDuration.Record(sinceHandedToKafka.TotalSeconds);

    public void RecordsConsumed(int count) => _recordsConsumed.Add(count);

    public void BroadcastConsumerOpened() => _broadcastConsumers.Add(1);

    public void BroadcastConsumerClosed() => _broadcastConsumers.Add(-1);

    public void BroadcastFellBehind() => _broadcastFellBehind.Add(1);

    /// <summary>Reports a consume stream's gauges until the returned value is disposed.</summary>
    public IDisposable ObserveConsumer(ConsumerGauges consumer)
    {
        _consumers[consumer] = true;
        return new Observation(() => _consumers.TryRemove(consumer, out _));
    }

    private static KeyValuePair<string, object?> Kind(string kind) => new("kind", kind);

    private long Sum(Func<ConsumerGauges, long> read) => _consumers.Keys.Sum(read);

    private IEnumerable<Measurement<long>> ObserveLag() =>
        _consumers.Keys
            .Where(c => c.Lag >= 0)
            .GroupBy(c => (c.Topic, c.GroupId))
            .Select(g => new Measurement<long>(g.Sum(c => c.Lag),
                new KeyValuePair<string, object?>("topic", g.Key.Topic), new KeyValuePair<string, object?>("group", g.Key.GroupId)));

    private sealed class Observation(Action end) : IDisposable
    {
        public void Dispose() => end();
    }
}

/// <summary>What a consume stream reports when metrics are collected (read from another thread: each value on its own is current enough).</summary>
internal sealed class ConsumerGauges(string topic, string groupId, Func<int> uncommitted)
{
    public string Topic { get; } = topic;

    public string GroupId { get; } = groupId;

    public int Uncommitted => uncommitted();

    public volatile int PausedPartitions;

    /// <summary>Summed over the stream's assigned partitions; -1 until librdkafka's statistics tell.</summary>
    public long Lag { get => Interlocked.Read(ref _lag); set => Interlocked.Exchange(ref _lag, value); }

    private long _lag = -1;
}
