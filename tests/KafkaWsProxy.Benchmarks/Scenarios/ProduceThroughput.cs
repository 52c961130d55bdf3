using System.Diagnostics;
using Confluent.Kafka;
using KafkaWsProxy.Benchmarks.Infrastructure;

namespace KafkaWsProxy.Benchmarks.Scenarios;

/// <summary>
/// N keyed records of 100-byte string values: a direct Confluent producer
/// (acks=all, idempotent, linger 5 ms) against C proxy sockets with W frames in flight each.
/// </summary>
internal static class ProduceThroughput
{
    private const string Scenario = "produce";

    public static async Task RunAsync(BenchEnvironment environment, BenchOptions options, BenchReport report)
    {
        var n = options.ProduceRecords;
        var value = Records.Value(options.ValueBytes);
        var bytes = Enumerable.Range(0, n).Sum(i => Records.PayloadBytes(i, options.ValueBytes));

        Console.WriteLine($"[produce] direct: {n:N0} records");
        var direct = await DirectAsync(environment, n, value);
        Console.WriteLine($"[produce] proxy: {n:N0} records over {options.ProduceSockets} sockets × {options.InFlight} in flight");
        var proxy = await ProxyAsync(environment, options, n, value);

        var note = environment.Embedded ? "embedded broker shares this machine's cores with clients, edge and bridge" : null;
        report.Add(new BenchRow(Scenario, "throughput", "records/s", n / direct.Seconds, n / proxy.Seconds, note));
        report.Add(new BenchRow(Scenario, "throughput", "MB/s key+value", bytes / direct.Seconds / 1e6, bytes / proxy.Seconds / 1e6));
        report.Add(new BenchRow(Scenario, "ack latency p50", "ms", direct.Latency.PercentileMs(50), proxy.Latency.PercentileMs(50)));
        report.Add(new BenchRow(Scenario, "ack latency p99", "ms", direct.Latency.PercentileMs(99), proxy.Latency.PercentileMs(99)));
        report.Add(new BenchRow(Scenario, "ack latency p99.9", "ms", direct.Latency.PercentileMs(99.9), proxy.Latency.PercentileMs(99.9)));
        report.Add(new BenchRow(Scenario, "CPU per 100k records (direct: client process; proxy: edge+bridge)", "s",
            CpuReading.Per100K(direct.Cpu.Self, n), CpuReading.Per100K(proxy.Cpu.Proxy, n),
            environment.Embedded ? "direct includes the in-process embedded broker" : null));
        report.Add(new BenchRow(Scenario, "CPU per 100k records, edge", "s", null, CpuReading.Per100K(proxy.Cpu.Edge, n)));
        report.Add(new BenchRow(Scenario, "CPU per 100k records, bridge", "s", null, CpuReading.Per100K(proxy.Cpu.Bridge, n)));
        report.Add(new BenchRow(Scenario, "CPU per 100k records, edge+bridge, of it their background JIT compilers", "s", null,
            CpuReading.Per100K(proxy.Cpu.ProxyJit, n), "tiered recompilation that the warm-up did not finish; not a per-record cost"));
        report.Add(new BenchRow(Scenario, "CPU per 100k records, benchmark process", "s",
            CpuReading.Per100K(direct.Cpu.Self, n), CpuReading.Per100K(proxy.Cpu.Self, n),
            environment.Embedded ? "clients + embedded broker" : "clients"));
    }

    private static async Task<Measured> DirectAsync(BenchEnvironment environment, int n, string value)
    {
        var topic = await environment.CreateTopicAsync("produce-direct");
        var latency = new LatencyRecorder();
        using var producer = new ProducerBuilder<string, string>(environment.DirectProducerConfig()).Build();
        // Warm up: metadata and connection, as the proxy socket gets below.
        await producer.ProduceAsync(topic, new Message<string, string> { Key = "warm-up", Value = value });

        var delivered = 0;
        var failed = 0;
        string? firstError = null;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cpu = CpuMeter.Start(environment);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            var sentAt = Stopwatch.GetTimestamp();
            var message = new Message<string, string> { Key = Records.Key(i), Value = value };
            while (true)
            {
                try
                {
                    producer.Produce(topic, message, report =>
                    {
                        latency.RecordSince(sentAt);
                        if (report.Error.IsError)
                        {
                            Interlocked.Increment(ref failed);
                            firstError ??= report.Error.Reason;
                        }

                        if (Interlocked.Increment(ref delivered) == n)
                        {
                            done.TrySetResult();
                        }
                    });
                    break;
                }
                catch (ProduceException<string, string> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
        clock.Stop();
        var reading = cpu.Read();
        if (failed > 0)
        {
            throw new InvalidOperationException($"The direct producer failed {failed} records: {firstError}");
        }

        return new Measured(clock.Elapsed.TotalSeconds, latency, reading);
    }

    private static async Task<Measured> ProxyAsync(BenchEnvironment environment, BenchOptions options, int n, string value)
    {
        var topic = await environment.CreateTopicAsync("produce-proxy");
        var latency = new LatencyRecorder();
        var sockets = new List<ProduceSocket>();
        try
        {
            for (var s = 0; s < options.ProduceSockets; s++)
            {
                sockets.Add(await ProduceSocket.ConnectAsync(
                    environment.SocketUri("/socket/in", $"clientId=bench-produce-{s}&topic={topic}&keyType=string"),
                    options.InFlight, latency));
            }

            // Warm up each socket (its producer, metadata) with one acknowledged record.
            var warmUp = Records.ProduceFrame(-1, value, "warm-up");
            await Task.WhenAll(sockets.Select(async socket =>
            {
                var acked = socket.ExpectAsync(1);
                await socket.SendAsync(warmUp);
                await acked.WaitAsync(TimeSpan.FromSeconds(60));
            }));
            latency.Reset();

            // Opening the sockets ran code that the runtime now recompiles: not part of the records' cost.
            await WarmUp.SettleAsync(environment);

            // Frames are built before the clock starts: the client's own formatting is not measured.
            var frames = new byte[sockets.Count][][];
            for (var s = 0; s < sockets.Count; s++)
            {
                frames[s] = Enumerable.Range(0, n).Where(i => i % sockets.Count == s)
                    .Select(i => Records.ProduceFrame(i, value, "m")).ToArray();
            }

            var cpu = CpuMeter.Start(environment);
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(sockets.Select(async (socket, s) =>
            {
                var acked = socket.ExpectAsync(1 + frames[s].Length);
                foreach (var frame in frames[s])
                {
                    await socket.SendAsync(frame);
                }

                await acked.WaitAsync(TimeSpan.FromMinutes(5));
            }));
            clock.Stop();
            var reading = cpu.Read();

            var errors = sockets.Sum(s => s.Errors);
            if (errors > 0)
            {
                throw new InvalidOperationException(
                    $"The proxy answered {errors} records with an error: {sockets.Select(s => s.FirstError).First(e => e is not null)}");
            }

            return new Measured(clock.Elapsed.TotalSeconds, latency, reading);
        }
        finally
        {
            foreach (var socket in sockets)
            {
                await socket.DisposeAsync();
            }
        }
    }

    private sealed record Measured(double Seconds, LatencyRecorder Latency, CpuReading Cpu);
}
