using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using Confluent.Kafka;
using KafkaWsProxy.Benchmarks.Infrastructure;

namespace KafkaWsProxy.Benchmarks.Scenarios;

/// <summary>
/// Broadcast sockets (docs/protocol.md §5.1): N sockets with mode=broadcast on one topic, all
/// sharing the bridge's one consumer, while records are produced at a steady rate. Each record's
/// value is the Stopwatch timestamp of its production (this process's clock), so the fan-out
/// latency is from produce call to arrival at a socket; it is read on a sample of the sockets,
/// which also check that each partition's records come in order (every other socket only counts
/// its records, without parsing: a client that costs little per frame). The sockets ask for
/// frames of --broadcast-batch-size records. A socket that cannot keep up is closed by the edge with
/// 4000 (fell behind): the count of those, and the share of records that reached the sockets,
/// say where the machine gives out.
/// </summary>
internal static class BroadcastFanOut
{
    private const string Scenario = "broadcast";
    private const int Parallelism = 32;
    private const int LatencySamples = 100;

    public static async Task RunAsync(BenchEnvironment environment, BenchOptions options, BenchReport report)
    {
        var topic = await environment.CreateTopicAsync("broadcast");
        var seconds = options.Quick ? 3 : options.BroadcastSeconds;
        foreach (var n in options.BroadcastSockets)
        {
            Console.WriteLine($"[broadcast] N={n:N0}: opening sockets");
            await RunStepAsync(environment, topic, n, options.BroadcastRate, seconds, options.BroadcastBatchSize, report);
        }
    }

    private static async Task RunStepAsync(
        BenchEnvironment environment, string topic, int n, int rate, int seconds, int batchSize, BenchReport report)
    {
        var invoker = new UpgradeInvoker();
        var latency = new LatencyRecorder();
        var readers = new List<BroadcastReader>(n);
        var at = $"N={n}: ";
        try
        {
            var connecting = Stopwatch.GetTimestamp();
            var uri = environment.SocketUri("/socket/out", $"clientId=bcast&topic={topic}&mode=broadcast&batchSize={batchSize}");
            foreach (var chunk in Enumerable.Range(0, n).Chunk(Parallelism))
            {
                readers.AddRange(await Task.WhenAll(chunk.Select(i =>
                    BroadcastReader.ConnectAsync(uri, invoker, i % Math.Max(1, n / LatencySamples) == 0 ? latency : null))));
            }

            var connectSeconds = Stopwatch.GetElapsedTime(connecting).TotalSeconds;
            Console.WriteLine($"[broadcast] N={n:N0}: {n:N0} sockets open in {connectSeconds:0.0} s; producing {rate:N0} records/s for {seconds} s");
            var load = LoadAverage();
            var logLinesBefore = environment.Edge.LogLines.Count();
            var cpu = CpuMeter.Start(environment);
            var edgeThreads = ProcessStatus.Supported ? ProcessStatus.Read(environment.Edge.Pid) : null;
            var produced = await ProduceAsync(environment, topic, rate, TimeSpan.FromSeconds(seconds));
            // Let what is on its way arrive (or the sockets that fell behind be closed); what has not
            // arrived within the deadline is counted as missing below.
            try
            {
                await Eventually.TrueAsync(() => !readers.Any(r => r.Ended is null && r.Records < produced),
                    "every socket to receive every record or end", TimeSpan.FromSeconds(15));
            }
            catch (TimeoutException)
            {
            }

            var used = cpu.Read();
            var hottest = edgeThreads is null ? "" : HottestThreads(edgeThreads, ProcessStatus.Read(environment.Edge.Pid), seconds);
            load += $" → {LoadAverage()}";
            var outOfOrder = readers.Sum(r => r.OutOfOrder);
            var (ownQueue, sharedStream) = FallBehindsInEdgeLog(environment, topic, logLinesBefore);
            var fellBehind = readers.Count(r => r.Ended?.StartsWith("4000", StringComparison.Ordinal) == true);
            var otherEnds = readers.Count(r => r.Ended is not null) - fellBehind;
            var complete = readers.Count(r => r.Records >= produced);
            var share = readers.Sum(r => Math.Min(r.Records, produced)) * 100.0 / ((double)produced * n);
            var elapsed = seconds + 0.0;
            report.Add(new BenchRow(Scenario, at + "sockets that got every record", "sockets", null, complete,
                $"{produced:N0} records at {rate:N0}/s on {BenchEnvironment.Partitions} partitions, batchSize={batchSize}; connects took {connectSeconds:0.0} s; load average {load}"));
            report.Add(new BenchRow(Scenario, at + "records delivered of those owed", "%", null, share,
                $"{fellBehind:N0} sockets closed 4000 (fell behind: {ownQueue:N0} overran their own queue at the edge, the shared stream was dropped by the bridge {sharedStream:N0} times); {otherEnds:N0} ended otherwise"));
            report.Add(new BenchRow(Scenario, at + "fan-out latency p50", "ms", null, latency.PercentileMs(50),
                $"produce call to arrival, {latency.Count:N0} samples on {readers.Count(r => r.Samples):N0} sockets; {outOfOrder:N0} records out of order in their partition"));
            report.Add(new BenchRow(Scenario, at + "fan-out latency p99", "ms", null, latency.PercentileMs(99)));
            report.Add(new BenchRow(Scenario, at + "CPU, edge + bridge", "% of a core", null, used.Proxy * 100 / elapsed,
                string.Create(CultureInfo.InvariantCulture,
                    $"edge {used.Edge * 100 / elapsed:0}%, bridge {used.Bridge * 100 / elapsed:0}%, this process (clients{(environment.Embedded ? " + broker" : "")}) {used.Self * 100 / elapsed:0}%; edge's busiest threads: {hottest}")));
            if (ProcessStatus.Supported)
            {
                report.Add(new BenchRow(Scenario, at + "memory, edge + bridge", "MiB", null,
                    (ProcessStatus.Read(environment.Edge.Pid).RssKiB + ProcessStatus.Read(environment.Bridge.Pid).RssKiB) / 1024.0,
                    string.Create(CultureInfo.InvariantCulture,
                        $"VmRSS with {n:N0} sockets open: edge {ProcessStatus.Read(environment.Edge.Pid).RssKiB / 1024.0:0} MiB, bridge {ProcessStatus.Read(environment.Bridge.Pid).RssKiB / 1024.0:0} MiB")));
            }

            Console.WriteLine($"[broadcast] N={n:N0}: {complete:N0} complete, {share:0.#}% delivered, {fellBehind:N0} fell behind, p99 {latency.PercentileMs(99):0.#} ms");
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException)
        {
            report.Add(new BenchRow(Scenario, at + "sockets that got every record", "sockets", null, null,
                $"gave at {readers.Count:N0} sockets open: {e.Message}"));
            Console.WriteLine($"[broadcast] N={n:N0} gave at {readers.Count:N0} sockets: {e.Message}");
        }
        finally
        {
            foreach (var chunk in readers.Chunk(256))
            {
                await Task.WhenAll(chunk.Select(r => r.DisposeAsync().AsTask()));
            }

            invoker.Dispose();
        }
    }

    /// <summary>From the edge's log since the step began: sockets that overran their own queue, and shared streams the bridge dropped.</summary>
    private static (int OwnQueue, int SharedStream) FallBehindsInEdgeLog(BenchEnvironment environment, string topic, int skip)
    {
        var lines = environment.Edge.LogLines.Skip(skip).ToList();
        return (lines.Count(l => l.Contains($"on topic {topic} fell behind", StringComparison.Ordinal)),
            lines.Count(l => l.Contains($"Shared broadcast stream for topic {topic} closed (FellBehind)", StringComparison.Ordinal)));
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    /// <summary>The edge's three thread groups that used the most CPU between the readings, as % of a core.</summary>
    private static string HottestThreads(ProcessStatus before, ProcessStatus after, int seconds) => string.Join(", ",
        after.ThreadsByName
            .Select(t => (t.Key, t.Value.Count, Cpu: t.Value.CpuSeconds - before.ThreadsByName.GetValueOrDefault(t.Key).CpuSeconds))
            .OrderByDescending(t => t.Cpu)
            .Take(3)
            .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key} ×{t.Count} {t.Cpu * 100 / seconds:0}%")));

    /// <summary>Produces at <paramref name="rate"/> per second, in slices of 10 ms; returns how many.</summary>
    private static async Task<long> ProduceAsync(BenchEnvironment environment, string topic, int rate, TimeSpan duration)
    {
        using var producer = new ProducerBuilder<Null, string>(environment.DirectProducerConfig(lingerMs: 0)).Build();
        var started = Stopwatch.GetTimestamp();
        long produced = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (Stopwatch.GetElapsedTime(started) < duration)
        {
            var owed = (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * rate) - produced;
            for (var i = 0; i < owed; i++)
            {
                producer.Produce(topic, new Message<Null, string> { Value = Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture) });
            }

            produced += Math.Max(0, owed);
            await timer.WaitForNextTickAsync();
        }

        producer.Flush(TimeSpan.FromSeconds(30));
        return produced;
    }

    /// <summary>
    /// One broadcast socket: counts its records (in a batch frame, its "wsProxyMessageId" names,
    /// without parsing); a sampled one parses every frame, records each record's latency and checks
    /// that each partition's offsets only grow.
    /// </summary>
    private sealed class BroadcastReader : IAsyncDisposable
    {
        private readonly ClientWebSocket _socket;
        private readonly LatencyRecorder? _latency;
        private readonly Task _receiving;
        private readonly Dictionary<int, long> _lastOffsets = [];
        private long _records;

        private BroadcastReader(ClientWebSocket socket, LatencyRecorder? latency)
        {
            _socket = socket;
            _latency = latency;
            _receiving = Task.Run(ReceiveAsync);
        }

        public long Records => Interlocked.Read(ref _records);

        public bool Samples => _latency is not null;

        /// <summary>Sampled sockets: records whose offset was not above the last one of their partition.</summary>
        public long OutOfOrder { get; private set; }

        /// <summary>"code reason" of the server's close, or the error; null while open.</summary>
        public string? Ended { get; private set; }

        public static async Task<BroadcastReader> ConnectAsync(Uri uri, UpgradeInvoker invoker, LatencyRecorder? latency)
        {
            var socket = new ClientWebSocket();
            try
            {
                await socket.ConnectAsync(uri, invoker, CancellationToken.None);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            return new BroadcastReader(socket, latency);
        }

        private async Task ReceiveAsync()
        {
            var reader = new WsMessageReader(_socket, initialBytes: 1024);
            try
            {
                while (await reader.ReceiveAsync(CancellationToken.None) is { } frame)
                {
                    Interlocked.Add(ref _records, _latency is null ? CountRecords(frame.Span) : Sample(frame));
                }

                Ended = $"{(int?)_socket.CloseStatus} {_socket.CloseStatusDescription}";
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                Ended ??= e.Message;
            }
        }

        private static int CountRecords(ReadOnlySpan<byte> frame)
        {
            if (frame.IsEmpty || frame[0] != (byte)'[')
            {
                return 1;
            }

            var count = 0;
            for (var at = frame.IndexOf("\"wsProxyMessageId\""u8); at >= 0; at = frame.IndexOf("\"wsProxyMessageId\""u8))
            {
                count++;
                frame = frame[(at + 18)..];
            }

            return count;
        }

        private int Sample(ReadOnlyMemory<byte> frame)
        {
            using var document = JsonDocument.Parse(frame);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                SampleRecord(root);
                return 1;
            }

            foreach (var record in root.EnumerateArray())
            {
                SampleRecord(record);
            }

            return root.GetArrayLength();
        }

        private void SampleRecord(JsonElement record)
        {
            var partition = record.GetProperty("partition").GetInt32();
            var offset = record.GetProperty("offset").GetInt64();
            if (_lastOffsets.TryGetValue(partition, out var last) && offset <= last)
            {
                OutOfOrder++;
            }

            _lastOffsets[partition] = offset;
            if (long.TryParse(record.GetProperty("value").GetProperty("value").GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var sent))
            {
                _latency!.RecordSince(sent);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await WsFrames.CloseQuietlyAsync(_socket);
            await _receiving;
        }
    }
}
