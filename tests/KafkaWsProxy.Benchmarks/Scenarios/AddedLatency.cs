using System.Diagnostics;
using Confluent.Kafka;
using KafkaWsProxy.Benchmarks.Infrastructure;

namespace KafkaWsProxy.Benchmarks.Scenarios;

/// <summary>
/// A steady rate (1,000 records/s by default) for D seconds, through one proxy socket and
/// through a direct producer paced the same way: the ack latency each sees and the difference.
/// </summary>
internal static class AddedLatency
{
    private const string Scenario = "latency";

    public static async Task RunAsync(BenchEnvironment environment, BenchOptions options, BenchReport report)
    {
        var total = options.LatencyRate * options.LatencySeconds;
        var value = Records.Value(options.ValueBytes);
        Console.WriteLine($"[latency] direct: {options.LatencyRate:N0} records/s for {options.LatencySeconds} s");
        var direct = await DirectAsync(environment, options.LatencyRate, total, value);
        Console.WriteLine($"[latency] proxy: {options.LatencyRate:N0} records/s for {options.LatencySeconds} s");
        var proxy = await ProxyAsync(environment, options.LatencyRate, total, value);

        var rate = $"{options.LatencyRate:N0} records/s";
        report.Add(new BenchRow(Scenario, "achieved rate", "records/s", direct.Rate, proxy.Rate, $"target {rate}"));
        var (d50, p50) = (direct.Latency.PercentileMs(50), proxy.Latency.PercentileMs(50));
        var (d99, p99) = (direct.Latency.PercentileMs(99), proxy.Latency.PercentileMs(99));
        report.Add(new BenchRow(Scenario, $"ack latency p50 at {rate}", "ms", d50, p50));
        report.Add(new BenchRow(Scenario, $"ack latency p99 at {rate}", "ms", d99, p99));
        report.Add(new BenchRow(Scenario, "added latency p50 (proxy − direct)", "ms", null, Math.Max(0, p50 - d50),
            $"goal ≤ 0.5 ms; raw difference {p50 - d50:0.###} ms"));
        report.Add(new BenchRow(Scenario, "added latency p99 (proxy − direct)", "ms", null, Math.Max(0, p99 - d99),
            $"goal ≤ 2 ms; raw difference {p99 - d99:0.###} ms"));
    }

    /// <summary>
    /// Waits until record <paramref name="i"/> is due. Never spins: a spinning sender
    /// took one of the two cores from the edge and bridge and added ~10 ms to the
    /// proxy's p99 (measured). A record sent a timer tick late is still timed from
    /// its own send, so the latency figures stay exact.
    /// </summary>
    private static async ValueTask PaceAsync(long start, int i, int rate)
    {
        var due = start + (long)((double)i * Stopwatch.Frequency / rate);
        while (Stopwatch.GetTimestamp() < due)
        {
            await Task.Delay(1); // ok-sleep: pacing a steady send rate, not waiting on a condition
        }
    }

    private static async Task<Measured> DirectAsync(BenchEnvironment environment, int rate, int total, string value)
    {
        var topic = await environment.CreateTopicAsync("latency-direct");
        var latency = new LatencyRecorder();
        using var producer = new ProducerBuilder<string, string>(environment.DirectProducerConfig()).Build();
        await producer.ProduceAsync(topic, new Message<string, string> { Key = "warm-up", Value = value });
        var delivered = 0;
        var failed = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            await PaceAsync(start, i, rate);
            var sentAt = Stopwatch.GetTimestamp();
            producer.Produce(topic, new Message<string, string> { Key = Records.Key(i), Value = value }, r =>
            {
                latency.RecordSince(sentAt);
                if (r.Error.IsError)
                {
                    Interlocked.Increment(ref failed);
                }

                if (Interlocked.Increment(ref delivered) == total)
                {
                    done.TrySetResult();
                }
            });
        }

        var sendSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await done.Task.WaitAsync(TimeSpan.FromMinutes(2));
        if (failed > 0)
        {
            throw new InvalidOperationException($"The direct producer failed {failed} records.");
        }

        return new Measured(total / sendSeconds, latency);
    }

    private static async Task<Measured> ProxyAsync(BenchEnvironment environment, int rate, int total, string value)
    {
        var topic = await environment.CreateTopicAsync("latency-proxy");
        var latency = new LatencyRecorder();
        await using var socket = await ProduceSocket.ConnectAsync(
            environment.SocketUri("/socket/in", $"clientId=bench-latency&topic={topic}&keyType=string"), inFlight: 100_000, latency);
        var warmed = socket.ExpectAsync(1);
        await socket.SendAsync(Records.ProduceFrame(-1, value, "warm-up"));
        await warmed.WaitAsync(TimeSpan.FromSeconds(60));
        latency.Reset();

        var frames = Enumerable.Range(0, total).Select(i => Records.ProduceFrame(i, value, "m")).ToArray();
        var acked = socket.ExpectAsync(1 + total);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            await PaceAsync(start, i, rate);
            await socket.SendAsync(frames[i]);
        }

        var sendSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await acked.WaitAsync(TimeSpan.FromMinutes(2));
        if (socket.Errors > 0)
        {
            throw new InvalidOperationException($"The proxy answered {socket.Errors} records with an error: {socket.FirstError}");
        }

        return new Measured(total / sendSeconds, latency);
    }

    private sealed record Measured(double Rate, LatencyRecorder Latency);
}
