using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;
using Confluent.Kafka;
using KafkaWsProxy.Benchmarks.Floor;
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
/// say where the machine gives out. Each step runs first against the broadcast floor
/// (<see cref="BroadcastFloorServer"/>: the same clients, rate and frames, no Kafka, no gRPC),
/// whose figures fill the Direct column: what this machine manages at N sockets at all.
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
        var batchSize = options.BroadcastBatchSize;
        // The floor queues as many records per socket as the edge does by default (Sockets:BroadcastBufferedRecords).
        await using var floor = await BroadcastFloor.StartAsync(queuedFrames: Math.Max(1, 10_000 / Math.Max(1, batchSize)));
        foreach (var n in options.BroadcastSockets)
        {
            var at = $"N={n}: ";
            Console.WriteLine($"[broadcast] N={n:N0}: the floor (a minimal Kestrel server writing the same frames), opening sockets");
            var floorStep = await RunStepAsync(floor.Address, n, options.BroadcastRate, seconds,
                duration => floor.ProduceAsync(topic, options.BroadcastRate, duration, batchSize), () => floor.CpuTime.TotalSeconds);
            Console.WriteLine($"[broadcast] N={n:N0}: the proxy, opening sockets");
            var logLinesBefore = environment.Edge.LogLines.Count();
            var cpu = default(CpuMeter);
            var edgeThreads = ProcessStatus.Supported ? ProcessStatus.Read(environment.Edge.Pid) : null;
            var proxyStep = await RunStepAsync(
                environment.SocketUri("/socket/out", $"clientId=bcast&topic={topic}&mode=broadcast&batchSize={batchSize}"), n, options.BroadcastRate, seconds,
                duration =>
                {
                    cpu = CpuMeter.Start(environment);
                    edgeThreads = ProcessStatus.Supported ? ProcessStatus.Read(environment.Edge.Pid) : null;
                    return ProduceAsync(environment, topic, options.BroadcastRate, duration);
                },
                () => 0,
                afterDelivery: elapsed =>
                {
                    var used = cpu!.Read();
                    var hottest = edgeThreads is null ? "" : HottestThreads(edgeThreads, ProcessStatus.Read(environment.Edge.Pid), elapsed);
                    var memory = ProcessStatus.Supported
                        ? string.Create(CultureInfo.InvariantCulture,
                            $"; VmRSS with {n:N0} sockets open: edge {ProcessStatus.Read(environment.Edge.Pid).RssKiB / 1024.0:0} MiB, bridge {ProcessStatus.Read(environment.Bridge.Pid).RssKiB / 1024.0:0} MiB")
                        : "";
                    return (used.Proxy, string.Create(CultureInfo.InvariantCulture,
                        $"edge {used.Edge * 100 / elapsed:0}%, bridge {used.Bridge * 100 / elapsed:0}%, this process (clients{(environment.Embedded ? " + broker" : "")}) {used.Self * 100 / elapsed:0}%; edge's busiest threads: {hottest}{memory}"));
                });
            var (ownQueue, sharedStream) = FallBehindsInEdgeLog(environment, topic, logLinesBefore);

            const string Columns = "Direct: the broadcast floor (the same clients, rate and frame sizes against a minimal Kestrel server in a process of its own that writes each frame to every socket); Proxy: edge + bridge + the embedded broker";
            report.Add(new BenchRow(Scenario, at + "sockets that got every record", "sockets", floorStep.Complete, proxyStep.Complete,
                $"{Columns}. {proxyStep.Produced:N0} records at {options.BroadcastRate:N0}/s on {BenchEnvironment.Partitions} partitions, batchSize={batchSize}; " +
                $"proxy: connects took {proxyStep.ConnectSeconds:0.0} s, load average {proxyStep.Load}; floor: load average {floorStep.Load}{floorStep.Failure}{proxyStep.Failure}"));
            report.Add(new BenchRow(Scenario, at + "records delivered of those owed", "%", floorStep.SharePercent, proxyStep.SharePercent,
                $"proxy: {proxyStep.FellBehind:N0} sockets closed 4000 (fell behind: {ownQueue:N0} overran their own queue at the edge, the shared stream was dropped by the bridge {sharedStream:N0} times), {proxyStep.OtherEnds:N0} ended otherwise; floor: {floorStep.FellBehind:N0} closed 4000"));
            report.Add(new BenchRow(Scenario, at + "fan-out latency p50", "ms", floorStep.P50, proxyStep.P50,
                $"produce call (floor: record made) to arrival, {proxyStep.Samples:N0} samples; {proxyStep.OutOfOrder + floorStep.OutOfOrder:N0} records out of order in their partition"));
            report.Add(new BenchRow(Scenario, at + "fan-out latency p99", "ms", floorStep.P99, proxyStep.P99));
            report.Add(new BenchRow(Scenario, at + "CPU, server", "% of a core", floorStep.CpuPercent, proxyStep.CpuPercent,
                $"from the first record to the last arrival (or the deadline): floor {floorStep.CpuSeconds:0.0} s, its server process; proxy {proxyStep.CpuSeconds:0.0} s, edge + bridge, {proxyStep.CpuNote}"));
            Console.WriteLine($"[broadcast] N={n:N0}: floor {floorStep.SharePercent:0.#}% delivered, p99 {floorStep.P99:0.#} ms; proxy {proxyStep.SharePercent:0.#}% delivered, {proxyStep.FellBehind:N0} fell behind, p99 {proxyStep.P99:0.#} ms");
        }
    }

    /// <summary>What one step measured, against the floor or the proxy.</summary>
    private sealed record StepResult(
        long Produced, int Complete, double SharePercent, int FellBehind, int OtherEnds, double P50, double P99, long Samples, long OutOfOrder,
        double ConnectSeconds, string Load, double CpuSeconds, double CpuPercent, string CpuNote, string Failure);

    /// <summary>
    /// Opens N sockets at <paramref name="uri"/>, runs <paramref name="produce"/> for the step's seconds, waits for what is on
    /// its way, and reads each socket's count. CPU is <paramref name="cpuSeconds"/>' difference, or what <paramref name="afterDelivery"/> reads.
    /// </summary>
    private static async Task<StepResult> RunStepAsync(
        Uri uri, int n, int rate, int seconds, Func<TimeSpan, Task<long>> produce, Func<double> cpuSeconds,
        Func<double, (double CpuSeconds, string Note)>? afterDelivery = null)
    {
        var invoker = new UpgradeInvoker();
        var latency = new LatencyRecorder();
        var readers = new List<BroadcastReader>(n);
        try
        {
            var connecting = Stopwatch.GetTimestamp();
            foreach (var chunk in Enumerable.Range(0, n).Chunk(Parallelism))
            {
                readers.AddRange(await Task.WhenAll(chunk.Select(i =>
                    BroadcastReader.ConnectAsync(uri, invoker, i % Math.Max(1, n / LatencySamples) == 0 ? latency : null))));
            }

            var connectSeconds = Stopwatch.GetElapsedTime(connecting).TotalSeconds;
            Console.WriteLine($"[broadcast] N={n:N0}: {n:N0} sockets open in {connectSeconds:0.0} s; {rate:N0} records/s for {seconds} s");
            var load = LoadAverage();
            var cpuBefore = cpuSeconds();
            var producing = Stopwatch.GetTimestamp();
            var produced = await produce(TimeSpan.FromSeconds(seconds));
            // Let what is on its way arrive (or the sockets that fell behind be closed); what has not
            // arrived within the deadline is counted as missing below.
            try
            {
                await Eventually.TrueAsync(() => !readers.Any(r => r.Ended is null && r.Records < produced),
                    "every socket to receive every record or end", TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
            }

            var elapsed = Stopwatch.GetElapsedTime(producing).TotalSeconds;
            var (cpu, note) = afterDelivery?.Invoke(elapsed) ?? (cpuSeconds() - cpuBefore, "");
            load += $" → {LoadAverage()}";
            var fellBehind = readers.Count(r => r.Ended?.StartsWith("4000", StringComparison.Ordinal) == true);
            return new StepResult(
                produced,
                readers.Count(r => r.Records >= produced),
                readers.Sum(r => Math.Min(r.Records, produced)) * 100.0 / ((double)produced * n),
                fellBehind,
                readers.Count(r => r.Ended is not null) - fellBehind,
                latency.PercentileMs(50),
                latency.PercentileMs(99),
                latency.Count,
                readers.Sum(r => r.OutOfOrder),
                connectSeconds,
                load,
                cpu,
                cpu * 100 / elapsed,
                note,
                "");
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or OperationCanceledException)
        {
            Console.WriteLine($"[broadcast] N={n:N0} gave at {readers.Count:N0} sockets: {e.Message}");
            return new StepResult(0, 0, 0, 0, 0, double.NaN, double.NaN, 0, 0, 0, LoadAverage(), 0, 0, "", $"; gave at {readers.Count:N0} sockets open: {e.Message}");
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
    private static string HottestThreads(ProcessStatus before, ProcessStatus after, double seconds) => string.Join(", ",
        after.ThreadsByName
            .Select(t => (t.Key, t.Value.Count, Cpu: t.Value.CpuSeconds - before.ThreadsByName.GetValueOrDefault(t.Key).CpuSeconds))
            .OrderByDescending(t => t.Cpu)
            .Take(3)
            .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key} ×{t.Count} {t.Cpu * 100 / seconds:0}%")));

    /// <summary>Produces at <paramref name="rate"/> per second, in slices of 10 ms; returns how many.</summary>
    private static async Task<long> ProduceAsync(BenchEnvironment environment, string topic, int rate, TimeSpan duration)
    {
        using var producer = new ProducerBuilder<Null, string>(environment.DirectProducerConfig(lingerMs: 0)).Build();
        var produced = await SteadyRate.RunAsync(rate, duration, _ =>
            producer.Produce(topic, new Message<Null, string> { Value = Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture) }));
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
