using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using Confluent.Kafka;
using KafkaWsProxy.Benchmarks.Infrastructure;

namespace KafkaWsProxy.Benchmarks.Scenarios;

/// <summary>
/// Resume without a rebalance (docs/protocol.md §5.2): two members of a group read a topic written at
/// a steady rate; one member's connection drops (no close handshake) and it reconnects with the same
/// clientId a second later. Run twice: without resumeWindowMs (a dynamic member: the group moves its
/// partitions to the other member and back) and with it (a static member: nothing moves). Reported,
/// in the Direct column without and in the Proxy column with: how many partitions the other member
/// was handed while it happened (read from the partitions of the records it received), the other
/// member's longest wait between records, the returning socket's wait for its first record, and
/// records missing or delivered twice (at least once allows the second).
/// </summary>
internal static class ResumeWithoutRebalance
{
    private const string Scenario = "resume";
    private const int Rate = 200;

    public static async Task RunAsync(BenchEnvironment environment, BenchOptions options, BenchReport report)
    {
        var drop = TimeSpan.FromSeconds(options.Quick ? 0.5 : 1);
        var after = TimeSpan.FromSeconds(options.Quick ? 2 : 8);
        Console.WriteLine($"[resume] two members, {Rate} records/s; one drops for {drop.TotalSeconds:0.#} s and returns; without, then with resumeWindowMs");
        var without = await RunOnceAsync(environment, resumeWindowMs: 0, drop, after);
        var with = await RunOnceAsync(environment, resumeWindowMs: 60_000, drop, after);

        const string Columns = "Direct: without resumeWindowMs (a dynamic member); Proxy: resumeWindowMs=60000 (a static member)";
        report.Add(new BenchRow(Scenario, "partitions the other member was handed", "partitions", without.PartitionsHanded, with.PartitionsHanded,
            $"{Columns}; 2 members, {BenchEnvironment.Partitions} partitions, {Rate} records/s, one connection dropped for {drop.TotalSeconds:0.#} s; group protocol of the bridge: {environment.GroupProtocol}"));
        report.Add(new BenchRow(Scenario, "other member's longest wait between records", "ms", without.OtherLongestGapMs, with.OtherLongestGapMs,
            "from the drop to the end of production; at this rate a record arrives every ~5 ms"));
        report.Add(new BenchRow(Scenario, "returning socket: connect to first record", "ms", without.ReturnToFirstRecordMs, with.ReturnToFirstRecordMs));
        report.Add(new BenchRow(Scenario, "records missing", "records", without.Missing, with.Missing,
            $"of {without.Produced:N0} / {with.Produced:N0} produced; autoCommit=true"));
        report.Add(new BenchRow(Scenario, "records delivered twice", "records", without.Duplicates, with.Duplicates,
            "at least once: a record after the last commit is delivered again"));
        Console.WriteLine($"[resume] other member handed {without.PartitionsHanded} / {with.PartitionsHanded} partitions; missing {without.Missing} / {with.Missing}");
    }

    private sealed record RunResult(long Produced, int PartitionsHanded, double OtherLongestGapMs, double ReturnToFirstRecordMs, long Missing, long Duplicates);

    private static async Task<RunResult> RunOnceAsync(BenchEnvironment environment, int resumeWindowMs, TimeSpan drop, TimeSpan after)
    {
        var topic = await environment.CreateTopicAsync("resume");
        var query = $"groupId=g-{topic}&topic={topic}&autoCommit=true" +
            (resumeWindowMs > 0 ? string.Create(CultureInfo.InvariantCulture, $"&resumeWindowMs={resumeWindowMs}") : "");
        var received = new ConcurrentBag<(int Partition, long Offset)>();
        using var stopProducing = new CancellationTokenSource();
        var producing = ProduceAsync(environment, topic, stopProducing.Token);
        await using var a = await Member.ConnectAsync(environment.SocketUri("/socket/out", $"clientId=a-{topic}&{query}"), received);
        await using var b = await Member.ConnectAsync(environment.SocketUri("/socket/out", $"clientId=b-{topic}&{query}"), received);
        // Settled: each member receives records of partitions of its own, and the two cover the topic.
        HashSet<int> ownedByB = [];
        try
        {
            await Eventually.TrueAsync(() =>
            {
                var ownedByA = a.RecentPartitions();
                ownedByB = b.RecentPartitions();
                return ownedByA.Count > 0 && ownedByB.Count > 0 && !ownedByA.Overlaps(ownedByB)
                    && ownedByA.Count + ownedByB.Count == BenchEnvironment.Partitions;
            }, "the two members to share the partitions", TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(
                $"{e.Message} (recent partitions of the first member: [{string.Join(',', a.RecentPartitions())}], of the second: [{string.Join(',', b.RecentPartitions())}]; {received.Count} records)", e);
        }

        var droppedAt = Stopwatch.GetTimestamp();
        b.StartGapWatch(droppedAt);
        a.Abort();
        await Task.Delay(drop);
        var returning = await Member.ConnectAsync(environment.SocketUri("/socket/out", $"clientId=a-{topic}&{query}"), received);
        await using (returning)
        {
            await Task.Delay(after);
            await stopProducing.CancelAsync();
            var produced = await producing;
            var handed = b.PartitionsSince(droppedAt).Except(ownedByB).Count();
            var gap = b.LongestGapMs(Stopwatch.GetTimestamp());
            try
            {
                await Eventually.TrueAsync(() => received.Distinct().Count() >= produced, "every record to arrive", TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
            }

            var distinct = received.Distinct().Count();
            return new RunResult(produced, handed, gap, returning.FirstRecordAfterMs ?? double.NaN, produced - distinct, received.Count - distinct);
        }
    }

    /// <summary>Produces <see cref="Rate"/> records a second, round robin over the partitions, until stopped; returns how many were written.</summary>
    private static async Task<long> ProduceAsync(BenchEnvironment environment, string topic, CancellationToken stop)
    {
        using var producer = new ProducerBuilder<Null, string>(environment.DirectProducerConfig(lingerMs: 0)).Build();
        var produced = await SteadyRate.RunAsync(Rate, TimeSpan.MaxValue, n =>
            producer.Produce(new TopicPartition(topic, new Partition((int)(n % BenchEnvironment.Partitions))),
                new Message<Null, string> { Value = n.ToString(CultureInfo.InvariantCulture) }), stop);
        producer.Flush(TimeSpan.FromSeconds(30));
        return produced;
    }

    /// <summary>One member's socket: the (partition, offset) of every record it gets, its partitions, and when records came.</summary>
    private sealed class Member : IAsyncDisposable
    {
        private readonly ClientWebSocket _socket;
        private readonly ConcurrentBag<(int Partition, long Offset)> _received;
        private readonly long _connectedAt = Stopwatch.GetTimestamp();
        private readonly Task _receiving;
        private readonly Lock _gate = new();
        private long _gapFrom;
        private long _lastRecordAt;
        private double _longestGapMs;
        private long _firstRecordAt;

        private Member(ClientWebSocket socket, ConcurrentBag<(int, long)> received)
        {
            _socket = socket;
            _received = received;
            _receiving = Task.Run(ReceiveAsync);
        }

        // The Stopwatch timestamp of the last record of each partition.
        private readonly ConcurrentDictionary<int, long> _lastRecordOf = new();

        /// <summary>Partitions it received a record of in the last half second (each gets one every ~20 ms).</summary>
        public HashSet<int> RecentPartitions() =>
            [.. _lastRecordOf.Where(p => Stopwatch.GetElapsedTime(p.Value).TotalMilliseconds < 500).Select(p => p.Key)];

        /// <summary>Partitions it received a record of after <paramref name="since"/>.</summary>
        public HashSet<int> PartitionsSince(long since) => [.. _lastRecordOf.Where(p => p.Value > since).Select(p => p.Key)];

        /// <summary>From connect to the first record, once one came.</summary>
        public double? FirstRecordAfterMs => Interlocked.Read(ref _firstRecordAt) is var at and > 0
            ? Stopwatch.GetElapsedTime(_connectedAt, at).TotalMilliseconds
            : null;

        public static async Task<Member> ConnectAsync(Uri uri, ConcurrentBag<(int, long)> received)
        {
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(uri, CancellationToken.None);
            return new Member(socket, received);
        }

        /// <summary>From now on, records the longest wait between two records.</summary>
        public void StartGapWatch(long from)
        {
            lock (_gate)
            {
                _gapFrom = from;
                _lastRecordAt = from;
            }
        }

        public double LongestGapMs(long until)
        {
            lock (_gate)
            {
                return _gapFrom == 0 ? double.NaN : Math.Max(_longestGapMs, Stopwatch.GetElapsedTime(_lastRecordAt, until).TotalMilliseconds);
            }
        }

        public void Abort() => _socket.Abort();

        private async Task ReceiveAsync()
        {
            var reader = new WsMessageReader(_socket, initialBytes: 1024);
            try
            {
                while (await reader.ReceiveAsync(CancellationToken.None) is { } frame)
                {
                    var record = WsFrames.Inspect(frame.Span, wantId: true);
                    if (record.IsError || record.WsProxyMessageId is not { } id)
                    {
                        continue;
                    }

                    // wsProxyMessageId is {topic}-{partition}-{offset}-{timestamp}.
                    var parts = id.Split('-');
                    var offset = long.Parse(parts[^2], CultureInfo.InvariantCulture);
                    var now = Stopwatch.GetTimestamp();
                    Interlocked.CompareExchange(ref _firstRecordAt, now, 0);
                    _lastRecordOf[record.Partition] = now;
                    _received.Add((record.Partition, offset));
                    lock (_gate)
                    {
                        if (_gapFrom != 0)
                        {
                            _longestGapMs = Math.Max(_longestGapMs, Stopwatch.GetElapsedTime(_lastRecordAt, now).TotalMilliseconds);
                            _lastRecordAt = now;
                        }
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Dropped by the scenario, or closed at the end.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await WsFrames.CloseQuietlyAsync(_socket);
            await _receiving;
            _socket.Dispose();
        }
    }
}
