using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using Confluent.Kafka;
using KafkaWsProxy.Benchmarks.Infrastructure;

namespace KafkaWsProxy.Benchmarks.Scenarios;

/// <summary>
/// Idle /socket/out sockets held at once, in steps of K (each step keeps the sockets of the one
/// before) until something gives. Every socket has its own clientId and group on one shared
/// topic with offsetResetStrategy=latest, so one probe record produced to the topic reaches every
/// socket. A step is held when all K sockets received a probe produced after they opened,
/// stayed open for the hold time, and then all received a final probe. Edge and bridge memory
/// (VmRSS) and threads are read from /proc (Linux only) before the first socket and at the end
/// of each held step. With <c>--bridges 2</c> (or more) the scenario runs again with B bridges
/// behind one edge, K sockets per bridge (K × B in all, spread by the edge's round robin), and
/// reports each bridge and the bridges combined.
/// </summary>
internal static class ConnectionScale
{
    private const string Scenario = "connections";

    public static async Task RunAsync(BenchEnvironment environment, BenchOptions options, BenchReport report)
    {
        if (!ProcessStatus.Supported)
        {
            report.Add(new BenchRow(Scenario, $"largest K held {options.HoldSeconds}s, every socket receiving", "sockets", null, null,
                "not measured: memory and threads are read from /proc (Linux only)"));
            return;
        }

        foreach (var bridges in options.ConnectionBridges)
        {
            if (bridges == 1)
            {
                await RunTierAsync(environment, new Tier(environment.Edge, [environment.Bridge]), options, report);
                continue;
            }

            await using var tier = await Tier.StartAsync(environment.BootstrapServers, bridges);
            await RunTierAsync(environment, tier, options, report);
        }
    }

    private static async Task RunTierAsync(BenchEnvironment environment, Tier tier, BenchOptions options, BenchReport report)
    {
        var b = tier.Bridges.Count;
        var label = b == 1 ? string.Empty : $"B={b}: ";
        var largest = $"{label}largest K held {options.HoldSeconds}s, every socket receiving";
        var topic = await environment.CreateTopicAsync("connections");
        var held = 0;
        var gave = "not reached: largest step tried";
        var baseline = Read(tier);
        await using (var fleet = new SocketFleet(environment, tier, topic, baseline.BridgeThreads))
        {
            Console.WriteLine($"[connections] {label}baseline: {baseline}");
            foreach (var perBridge in options.Connections)
            {
                var k = perBridge * b;
                Console.WriteLine($"[connections] {label}K={k:N0}: opening {k - fleet.Count:N0} more sockets, holding {options.HoldSeconds} s");
                var step = await fleet.StepAsync(k, TimeSpan.FromSeconds(options.HoldSeconds));
                if (step.Gave is { } failure)
                {
                    gave = $"K={k:N0} gave: {failure}";
                    Console.WriteLine($"[connections] {label}{gave}; load average {LoadAverage()}");
                    foreach (var service in tier.Bridges.Prepend(tier.Edge))
                    {
                        Console.WriteLine($"[connections] the {service.Name}'s last log lines:");
                        foreach (var line in service.LogLines.TakeLast(8))
                        {
                            Console.WriteLine("    " + line);
                        }
                    }

                    break;
                }

                held = k;
                var sample = Read(tier);
                var self = ProcessStatus.Read(Environment.ProcessId);
                Console.WriteLine($"[connections] {label}K={k:N0} held: {sample}; first bridge's threads per socket by name: " +
                    $"{sample.Bridges[0].ThreadsPerSocketByName(baseline.Bridges[0], k / b)}; this process (clients{(environment.Embedded ? ", embedded broker" : string.Empty)}): " +
                    $"RSS {self.RssKiB / 1024:N0} MiB, {self.Threads} threads, {self.OpenFiles:N0} files; load average {LoadAverage()}");
                Console.WriteLine($"[connections] {label}K={k:N0} idle CPU during the hold by thread: first bridge {step.BridgeCpuByThread}; this process {step.SelfCpuByThread}");
                AddStepRows(report, label, k, baseline, sample, step, environment.Embedded);
            }
        }

        report.Add(new BenchRow(Scenario, largest, "sockets", null, held, gave));
    }

    private static Sample Read(Tier tier) =>
        new(ProcessStatus.Read(tier.Edge.Pid), [.. tier.Bridges.Select(b => ProcessStatus.Read(b.Pid))]);

    private static void AddStepRows(BenchReport report, string label, int k, Sample baseline, Sample sample, StepResult step, bool embedded)
    {
        static double PerSocket(long now, long before, int k) => (double)(now - before) / k;
        static string Mib(long kib) => (kib / 1024.0).ToString("0", CultureInfo.InvariantCulture);

        var at = $"{label}K={k}: ";
        var b = sample.Bridges.Count;
        report.Add(new BenchRow(Scenario, at + "edge memory per socket", "KiB", null,
            PerSocket(sample.Edge.RssKiB, baseline.Edge.RssKiB, k), $"RSS {Mib(baseline.Edge.RssKiB)} → {Mib(sample.Edge.RssKiB)} MiB"));
        report.Add(new BenchRow(Scenario, at + "edge threads per socket", "threads", null,
            PerSocket(sample.Edge.Threads, baseline.Edge.Threads, k),
            $"threads {baseline.Edge.Threads} → {sample.Edge.Threads}; open files {baseline.Edge.OpenFiles:N0} → {sample.Edge.OpenFiles:N0}"));
        for (var i = 0; i < b; i++)
        {
            // With several bridges the edge's round robin spreads the sockets; each bridge is counted with its even share.
            var which = b == 1 ? "bridge" : $"bridge {i + 1}";
            var share = k / b;
            var (before, now) = (baseline.Bridges[i], sample.Bridges[i]);
            report.Add(new BenchRow(Scenario, at + which + " memory per socket", "KiB", null,
                PerSocket(now.RssKiB, before.RssKiB, share), $"RSS {Mib(before.RssKiB)} → {Mib(now.RssKiB)} MiB over {share:N0} sockets"));
            report.Add(new BenchRow(Scenario, at + which + " threads per socket", "threads", null,
                PerSocket(now.Threads, before.Threads, share),
                $"threads {before.Threads} → {now.Threads}; open files {before.OpenFiles:N0} → {now.OpenFiles:N0}; " +
                $"per socket by name: {now.ThreadsPerSocketByName(before, share)}"));
        }

        if (b > 1)
        {
            report.Add(new BenchRow(Scenario, at + "bridges combined, memory per socket", "KiB", null,
                PerSocket(sample.BridgeRssKiB, baseline.BridgeRssKiB, k), $"RSS {Mib(baseline.BridgeRssKiB)} → {Mib(sample.BridgeRssKiB)} MiB over {k:N0} sockets"));
            report.Add(new BenchRow(Scenario, at + "bridges combined, threads per socket", "threads", null,
                PerSocket(sample.BridgeThreads, baseline.BridgeThreads, k), $"threads {baseline.BridgeThreads} → {sample.BridgeThreads}"));
        }

        report.Add(new BenchRow(Scenario, at + "time until all K receive", "s", null, step.UntilAllReceiveSeconds,
            string.Create(CultureInfo.InvariantCulture,
                $"from the step's first connect; its {step.Opened:N0} connects took {step.ConnectSeconds:0.0} s; probes every {SocketFleet.ProbeInterval.TotalSeconds:0} s")));
        report.Add(new BenchRow(Scenario, at + "idle sockets, produce to receipt of the next record, p50 / p99", "ms", null, step.FinalProbeP50Ms,
            string.Create(CultureInfo.InvariantCulture,
                $"p99 {step.FinalProbeP99Ms:0.#} ms: the final probe, produced (acks=all) after the hold, until each socket read it")));
        report.Add(new BenchRow(Scenario, at + "CPU while idle, edge + bridge" + (b > 1 ? "s" : string.Empty), "% of a core", null,
            (step.IdleCpu.Edge + step.IdleCpu.Bridge) * 100 / step.HoldSeconds,
            string.Create(CultureInfo.InvariantCulture,
                $"during the hold: edge {step.IdleCpu.Edge * 100 / step.HoldSeconds:0.#}%, bridge{(b > 1 ? "s" : string.Empty)} {step.IdleCpu.Bridge * 100 / step.HoldSeconds:0.#}% " +
                $"(first bridge by thread: {step.BridgeCpuByThread}); this process{(embedded ? " (clients + embedded broker)" : " (clients)")} {step.IdleCpu.Self * 100 / step.HoldSeconds:0.#}%")));
    }

    private sealed record Sample(ProcessStatus Edge, IReadOnlyList<ProcessStatus> Bridges)
    {
        public long BridgeRssKiB => Bridges.Sum(b => b.RssKiB);

        public int BridgeThreads => Bridges.Sum(b => b.Threads);

        public override string ToString() =>
            string.Create(CultureInfo.InvariantCulture, $"edge RSS {Edge.RssKiB / 1024.0:0} MiB, {Edge.Threads} threads, {Edge.OpenFiles} files; ") +
            string.Join("; ", Bridges.Select((b, i) => string.Create(CultureInfo.InvariantCulture,
                $"bridge {i + 1} RSS {b.RssKiB / 1024.0:0} MiB, {b.Threads} threads, {b.OpenFiles} files")));
    }

    /// <summary>
    /// One edge and the bridges behind it. The benchmark's own pair, or B bridges and an edge
    /// configured with all of them, started for this scenario and stopped after it.
    /// </summary>
    private sealed class Tier(ServiceProcess edge, IReadOnlyList<ServiceProcess> bridges, bool owned = false) : IAsyncDisposable
    {
        public ServiceProcess Edge { get; } = edge;

        public IReadOnlyList<ServiceProcess> Bridges { get; } = bridges;

        public static async Task<Tier> StartAsync(string bootstrapServers, int count)
        {
            var bridges = new List<ServiceProcess>();
            try
            {
                for (var i = 0; i < count; i++)
                {
                    bridges.Add(await ServiceProcess.StartBridgeAsync(new Dictionary<string, string?>
                    {
                        ["Kafka__BootstrapServers"] = bootstrapServers,
                        ["Kafka__TopicCacheTtl"] = "00:00:00",
                        ["Kafka__GroupProtocol"] = Environment.GetEnvironmentVariable("BENCH_GROUP_PROTOCOL") ?? "consumer",
                    }, options: ServiceProcessOptions.Benchmarks));
                }

                var addresses = string.Join(",", bridges.Select(b => b.Address.ToString().TrimEnd('/')));
                // The edge says at Information when it saw a bridge healthy, which is waited for below.
                var edgeLog = ServiceProcessOptions.Benchmarks with
                {
                    LogLevels = new Dictionary<string, string>(ServiceProcessOptions.Benchmarks.LogLevels) { ["KafkaWsProxy"] = "Information" },
                };
                var edge = await ServiceProcess.StartAsync("edge", BuildOutputs.EdgeDll,
                    new Dictionary<string, string?> { ["Bridge__Address"] = addresses }, options: edgeLog);
                var tier = new Tier(edge, bridges, owned: true);
                // The edge opens streams only on bridges it saw healthy: wait until it saw every one.
                foreach (var bridge in bridges)
                {
                    await edge.WaitForLogAsync(l => l.Contains($"Bridge {bridge.Address.Authority} is healthy", StringComparison.Ordinal),
                        $"bridge {bridge.Address.Authority} healthy");
                }

                return tier;
            }
            catch
            {
                foreach (var bridge in bridges)
                {
                    await bridge.DisposeAsync();
                }

                throw;
            }
        }

        public Uri SocketUri(string path, string query) => new($"ws://{Edge.Address.Authority}{path}?{query}");

        public async ValueTask DisposeAsync()
        {
            if (!owned)
            {
                return;
            }

            await Edge.StopAsync(TimeSpan.FromSeconds(10), killAfterTimeout: true);
            await Edge.DisposeAsync();
            foreach (var bridge in Bridges)
            {
                await bridge.StopAsync(TimeSpan.FromSeconds(15), killAfterTimeout: true);
                await bridge.DisposeAsync();
            }
        }
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    /// <summary>What gave (null when the step held); how long the step took to have every socket receiving; the CPU of the hold.</summary>
    private sealed record StepResult(string? Gave)
    {
        public int Opened { get; init; }

        public double ConnectSeconds { get; init; }

        public double UntilAllReceiveSeconds { get; init; }

        public double HoldSeconds { get; init; }

        public CpuReading IdleCpu { get; init; }

        public string BridgeCpuByThread { get; init; } = "";

        public string SelfCpuByThread { get; init; } = "";

        public double FinalProbeP50Ms { get; init; }

        public double FinalProbeP99Ms { get; init; }
    }

    /// <summary>CPU time of this process, the tier's edge and its bridges (summed) between two readings.</summary>
    private sealed class TierCpu
    {
        private readonly Tier _tier;
        private readonly CpuReading _start;

        private TierCpu(Tier tier)
        {
            _tier = tier;
            _start = Now(tier);
        }

        public static TierCpu Start(Tier tier) => new(tier);

        public CpuReading Read()
        {
            var now = Now(_tier);
            return new CpuReading(now.Self - _start.Self, now.Edge - _start.Edge, now.Bridge - _start.Bridge);
        }

        private static CpuReading Now(Tier tier)
        {
            using var self = Process.GetCurrentProcess();
            return new CpuReading(self.TotalProcessorTime.TotalSeconds, tier.Edge.CpuTime.TotalSeconds, tier.Bridges.Sum(b => b.CpuTime.TotalSeconds));
        }
    }

    /// <summary>
    /// The open sockets, the probe producer, and the checks of one step. Disposing closes every socket
    /// and waits (a while) until the bridge is back to <paramref name="bridgeThreadsBefore"/> threads,
    /// its consumers closed, so what runs next starts clean.
    /// </summary>
    private sealed class SocketFleet(BenchEnvironment environment, Tier tier, string topic, int bridgeThreadsBefore) : IAsyncDisposable
    {
        public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(2);
        private const int Parallelism = 32;
        private static readonly TimeSpan s_check = TimeSpan.FromMilliseconds(100);

        private readonly List<IdleConsumeSocket> _sockets = [];
        private readonly UpgradeInvoker _invoker = new();
        private readonly IProducer<Null, string> _producer = new ProducerBuilder<Null, string>(environment.DirectProducerConfig(lingerMs: 0)).Build();
        private readonly string _run = Guid.NewGuid().ToString("N")[..8];
        private int _probe;

        public int Count => _sockets.Count;

        public async Task<StepResult> StepAsync(int k, TimeSpan hold)
        {
            var started = Stopwatch.GetTimestamp();
            var added = k - _sockets.Count;
            // A budget that grows with the sockets to open: connects, then every group join (~3 s on the embedded broker).
            var deadline = started + Ticks(TimeSpan.FromSeconds(30) + (added * TimeSpan.FromMilliseconds(50)));
            var probeBefore = _probe;
            if (await OpenAsync(k, deadline) is { } refused)
            {
                return new StepResult(refused);
            }

            var connectSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            if (await UntilAllReceiveAsync(probeBefore, deadline, repeat: true) is { } notReceiving)
            {
                return new StepResult(notReceiving);
            }

            var untilAll = Stopwatch.GetElapsedTime(started).TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[connections] K={k:N0}: {added:N0} connects in {connectSeconds:0.0} s, all {k:N0} receiving after {untilAll:0.0} s"));
            var cpu = TierCpu.Start(tier);
            var (bridgeBefore, selfBefore) = (ProcessStatus.Read(tier.Bridges[0].Pid), ProcessStatus.Read(Environment.ProcessId));
            var holding = Stopwatch.GetTimestamp();
            if (await HoldAsync(hold) is { } dropped)
            {
                return new StepResult(dropped);
            }

            var heldSeconds = Stopwatch.GetElapsedTime(holding).TotalSeconds;
            var held = new StepResult(null)
            {
                Opened = added,
                ConnectSeconds = connectSeconds,
                UntilAllReceiveSeconds = untilAll,
                HoldSeconds = heldSeconds,
                IdleCpu = cpu.Read(),
                BridgeCpuByThread = ProcessStatus.Read(tier.Bridges[0].Pid).CpuByName(bridgeBefore, heldSeconds),
                SelfCpuByThread = ProcessStatus.Read(Environment.ProcessId).CpuByName(selfBefore, heldSeconds),
            };

            var probing = Stopwatch.GetTimestamp();
            var final = await ProbeAsync();
            var finalDeadline = Stopwatch.GetTimestamp() + Ticks(TimeSpan.FromSeconds(10) + (k * TimeSpan.FromMilliseconds(10)));
            if (await UntilAllReceiveAsync(final - 1, finalDeadline, repeat: false) is { } missed)
            {
                return new StepResult($"after the hold, {missed}");
            }

            // The final probe reaches sockets that sat idle through the hold: the delay a first record after a quiet spell sees.
            var delays = _sockets.Select(s => (s.NewestProbeAt - probing) * 1000.0 / Stopwatch.Frequency).Order().ToList();
            return held with { FinalProbeP50Ms = delays[delays.Count / 2], FinalProbeP99Ms = delays[Math.Min(delays.Count - 1, delays.Count * 99 / 100)] };
        }

        /// <summary>Opens sockets until there are <paramref name="k"/>; what gave, or null.</summary>
        private async Task<string?> OpenAsync(int k, long deadline)
        {
            var first = _sockets.Count;
            using var stop = new CancellationTokenSource(Remaining(deadline));
            string? refused = null;
            try
            {
                await Parallel.ForEachAsync(Enumerable.Range(first, k - first),
                    new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = stop.Token },
                    async (i, cancellationToken) =>
                    {
                        var client = $"bench-scale-{_run}-{i}";
                        var uri = tier.SocketUri("/socket/out",
                            $"clientId={client}&groupId={client}-group&topic={topic}&offsetResetStrategy=latest");
                        try
                        {
                            var socket = await IdleConsumeSocket.ConnectAsync(uri, _invoker, Volatile.Read(ref _probe), cancellationToken);
                            lock (_sockets)
                            {
                                _sockets.Add(socket);
                            }
                        }
                        catch (WebSocketException e) when (!cancellationToken.IsCancellationRequested)
                        {
                            Interlocked.CompareExchange(ref refused, $"connect refused: {e.Message}", null);
                            await stop.CancelAsync();
                        }
                    });
            }
            catch (OperationCanceledException)
            {
                // Refused (said below) or the deadline passed.
            }

            var opened = $"{_sockets.Count - first:N0} of {k - first:N0} new sockets had opened";
            var ended = Gave() is { } gave ? $"; {gave}" : string.Empty;
            return refused is not null ? $"{refused} ({opened}{ended})"
                : _sockets.Count < k ? $"deadline passed while connecting ({opened}{ended})"
                : Gave();
        }

        /// <summary>
        /// Waits until every socket received a probe newer than <paramref name="after"/> (and than any produced
        /// before it opened); with <paramref name="repeat"/>, produces one now and again every <see cref="ProbeInterval"/>,
        /// for sockets whose group join ended after the last one.
        /// </summary>
        private async Task<string?> UntilAllReceiveAsync(int after, long deadline, bool repeat)
        {
            var nextProbe = Stopwatch.GetTimestamp();
            while (true)
            {
                if (Gave() is { } gave)
                {
                    return gave;
                }

                var waiting = _sockets.Count(s => !s.ReceivedAfter(after));
                if (waiting == 0)
                {
                    return null;
                }

                var now = Stopwatch.GetTimestamp();
                if (now > deadline)
                {
                    return $"deadline passed: {_sockets.Count - waiting:N0} of {_sockets.Count:N0} sockets had received the probe";
                }

                if (repeat && now >= nextProbe)
                {
                    await ProbeAsync();
                    nextProbe = now + Ticks(ProbeInterval);
                }

                await Task.Delay(s_check); // ok-sleep: samples thousands of sockets; the step's time is read to this resolution
            }
        }

        /// <summary>Holds every socket open for <paramref name="hold"/>, watching for one that ends or a process that exits.</summary>
        private async Task<string?> HoldAsync(TimeSpan hold)
        {
            var until = Stopwatch.GetTimestamp() + Ticks(hold);
            while (Stopwatch.GetTimestamp() < until)
            {
                if (Gave() is { } gave)
                {
                    return $"during the hold, {gave}";
                }

                await Task.Delay(s_check); // ok-sleep: the hold is a fixed time, watched at this resolution
            }

            return Gave();
        }

        /// <summary>A process that exited, or a socket that ended; null when all is well.</summary>
        private string? Gave()
        {
            if (tier.Bridges.FirstOrDefault(b => b.HasExited) is { } bridge)
            {
                return $"the bridge at {bridge.Address.Authority} exited";
            }

            if (tier.Edge.HasExited)
            {
                return "the edge process exited";
            }

            var ended = _sockets.Where(s => s.Ended is not null).ToList();
            return ended.Count == 0 ? null : $"{ended.Count:N0} socket(s) ended, the first: {ended[0].Ended}";
        }

        private async Task<int> ProbeAsync()
        {
            var probe = Interlocked.Increment(ref _probe);
            await _producer.ProduceAsync(topic, new Message<Null, string> { Value = IdleConsumeSocket.ProbePrefix + probe.ToString(CultureInfo.InvariantCulture) });
            return probe;
        }

        public async ValueTask DisposeAsync()
        {
            var started = Stopwatch.GetTimestamp();
            await Parallel.ForEachAsync(_sockets, new ParallelOptions { MaxDegreeOfParallelism = Parallelism },
                async (socket, _) => await socket.DisposeAsync());
            var closed = Stopwatch.GetElapsedTime(started).TotalSeconds;
            // The bridge closes each socket's consumer (leaves its group) on a thread of its own, and librdkafka's threads end with it.
            var settled = Stopwatch.GetTimestamp() + Ticks(TimeSpan.FromSeconds(60));
            var threads = BridgeThreads();
            while (threads > bridgeThreadsBefore + 20 && Stopwatch.GetTimestamp() < settled)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500)); // ok-sleep: waits, bounded, for the bridge to close its consumers
                threads = BridgeThreads();
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"[connections] closed {_sockets.Count:N0} sockets in {closed:0.0} s; bridge threads {threads:N0} after {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s (before the sockets: {bridgeThreadsBefore:N0}); bridge RSS {BridgeRssMiB():N0} MiB"));
            _sockets.Clear();
            _producer.Dispose();
            _invoker.Dispose();
        }

        private long BridgeRssMiB() => tier.Bridges.Sum(b => b.HasExited ? 0 : ProcessStatus.Read(b.Pid).RssKiB) / 1024;

        private int BridgeThreads() => tier.Bridges.Sum(b => b.HasExited ? 0 : ProcessStatus.Read(b.Pid).Threads);

        private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

        private static TimeSpan Remaining(long deadline) =>
            TimeSpan.FromSeconds(Math.Max(0, (double)(deadline - Stopwatch.GetTimestamp()) / Stopwatch.Frequency));
    }
}
