using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using Confluent.Kafka;
using KafkaWsProxy.Benchmarks.Infrastructure;

namespace KafkaWsProxy.Benchmarks.Scenarios;

/// <summary>
/// A topic pre-filled with M records, read by a direct Confluent consumer in a new group,
/// and through /socket/out with autoCommit=true and with autoCommit=false (committing every K records).
/// Each read is timed, and its CPU read, from its first record to its M-th, so the group join is not counted.
/// </summary>
internal static class ConsumeThroughput
{
    private const string Scenario = "consume";
    private const int BatchSize = 100;
    private static readonly TimeSpan s_deadline = TimeSpan.FromMinutes(5);

    public static async Task RunAsync(BenchEnvironment environment, BenchOptions options, BenchReport report)
    {
        var m = options.ConsumeRecords;
        var topic = await environment.CreateTopicAsync("consume");
        Console.WriteLine($"[consume] pre-filling {topic} with {m:N0} records");
        await PrefillAsync(environment, topic, m, Records.Value(options.ValueBytes));

        Console.WriteLine("[consume] direct consumer");
        var direct = await DirectAsync(environment, topic, m);
        Console.WriteLine("[consume] proxy, autoCommit=true");
        var auto = await ProxyAsync(environment, topic, m, commitEvery: 0);
        Console.WriteLine($"[consume] proxy, autoCommit=false, commit every {options.CommitEvery}");
        var manual = await ProxyAsync(environment, topic, m, options.CommitEvery);
        Console.WriteLine($"[consume] proxy, autoCommit=true, batchSize={BatchSize}");
        var batched = await ProxyAsync(environment, topic, m, commitEvery: 0, BatchSize);

        var note = environment.Embedded ? "embedded broker shares this machine's cores with clients, edge and bridge" : null;
        report.Add(new BenchRow(Scenario, "throughput, autoCommit=true", "records/s", m / direct.Seconds, m / auto.Seconds, note));
        report.Add(new BenchRow(Scenario, $"throughput, autoCommit=false, commit every {options.CommitEvery}", "records/s",
            m / direct.Seconds, m / manual.Seconds));
        report.Add(new BenchRow(Scenario, $"throughput, autoCommit=true, batchSize={BatchSize}", "records/s", m / direct.Seconds, m / batched.Seconds,
            $"{BatchSize} records per frame: the per-frame cost of the default one record per frame shows against the row above"));
        report.Add(new BenchRow(Scenario, "time to first record (group join)", "s", direct.FirstRecordSeconds, auto.FirstRecordSeconds,
            "not part of the throughput"));
        report.Add(new BenchRow(Scenario, "CPU per 100k records, autoCommit=true (direct: client process; proxy: edge+bridge)", "s",
            CpuReading.Per100K(direct.Cpu.Self, m), CpuReading.Per100K(auto.Cpu.Proxy, m),
            environment.Embedded ? "direct includes the in-process embedded broker; first record to last" : "first record to last"));
        report.Add(new BenchRow(Scenario, "CPU per 100k records, autoCommit=false (direct: client process; proxy: edge+bridge)", "s",
            CpuReading.Per100K(direct.Cpu.Self, m), CpuReading.Per100K(manual.Cpu.Proxy, m)));
        report.Add(new BenchRow(Scenario, "CPU per 100k records, autoCommit=true, edge", "s", null, CpuReading.Per100K(auto.Cpu.Edge, m)));
        report.Add(new BenchRow(Scenario, "CPU per 100k records, autoCommit=true, bridge", "s", null, CpuReading.Per100K(auto.Cpu.Bridge, m)));
        report.Add(new BenchRow(Scenario, "CPU per 100k records, autoCommit=true, edge+bridge, of it their background JIT compilers", "s", null,
            CpuReading.Per100K(auto.Cpu.ProxyJit, m), "tiered recompilation that the warm-up did not finish; not a per-record cost"));
        report.Add(new BenchRow(Scenario, "CPU per 100k records, autoCommit=true, benchmark process", "s",
            CpuReading.Per100K(direct.Cpu.Self, m), CpuReading.Per100K(auto.Cpu.Self, m), "clients + embedded broker"));
        report.Add(new BenchRow(Scenario, $"CPU per 100k records, autoCommit=true, batchSize={BatchSize} (direct: client process; proxy: edge+bridge)", "s",
            CpuReading.Per100K(direct.Cpu.Self, m), CpuReading.Per100K(batched.Cpu.Proxy, m)));
    }

    private static async Task PrefillAsync(BenchEnvironment environment, string topic, int m, string value)
    {
        using var producer = new ProducerBuilder<string, string>(environment.DirectProducerConfig()).Build();
        var failed = 0;
        for (var i = 0; i < m; i++)
        {
            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<string, string> { Key = Records.Key(i), Value = value }, r =>
                    {
                        if (r.Error.IsError)
                        {
                            Interlocked.Increment(ref failed);
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

        await Task.Run(() => producer.Flush(s_deadline));
        if (failed > 0)
        {
            throw new InvalidOperationException($"Pre-filling {topic} failed for {failed} records.");
        }
    }

    private static Task<Measured> DirectAsync(BenchEnvironment environment, string topic, int m) => Task.Run(() =>
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = environment.BootstrapServers,
            GroupId = "bench-direct-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = true,
        }).Build();
        CpuMeter? cpu = null;
        var opened = Stopwatch.StartNew();
        consumer.Subscribe(topic);
        var deadline = DateTime.UtcNow + s_deadline;
        Stopwatch? clock = null;
        var firstRecord = 0.0;
        var count = 0;
        while (count < m)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The direct consumer read {count} of {m} records.");
            }

            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is { IsPartitionEOF: false, Message: not null })
            {
                if (clock is null)
                {
                    cpu = CpuMeter.Start(environment);
                    clock = Stopwatch.StartNew();
                    firstRecord = opened.Elapsed.TotalSeconds;
                }

                count++;
            }
        }

        var seconds = clock!.Elapsed.TotalSeconds;
        var reading = cpu!.Read();
        consumer.Close();
        return new Measured(seconds, firstRecord, reading);
    });

    /// <summary>
    /// The warm-up reads its topic each way this scenario does, so that the code of every variant
    /// (commits, batches) has been compiled before a clock starts.
    /// </summary>
    public static async Task WarmUpAsync(BenchEnvironment environment, string topic, int m, int commitEvery)
    {
        await ProxyAsync(environment, topic, m, commitEvery: 0);
        await ProxyAsync(environment, topic, m, commitEvery);
        await ProxyAsync(environment, topic, m, commitEvery: 0, BatchSize);
    }

    private static async Task<Measured> ProxyAsync(BenchEnvironment environment, string topic, int m, int commitEvery, int batchSize = 0)
    {
        var autoCommit = commitEvery == 0;
        var group = $"bench-proxy-{(autoCommit ? "auto" : "manual")}-{Guid.NewGuid():N}";
        var uri = environment.SocketUri("/socket/out",
            $"clientId=bench-consume-{Guid.NewGuid():N}&topic={topic}&groupId={group}&autoCommit={(autoCommit ? "true" : "false")}&offsetResetStrategy=earliest&batchSize={batchSize}");
        CpuMeter? cpu = null;
        var opened = Stopwatch.StartNew();
        var socket = new ClientWebSocket();
        try
        {
            using var timeout = new CancellationTokenSource(s_deadline);
            await socket.ConnectAsync(uri, timeout.Token);
            var reader = new WsMessageReader(socket);
            var latest = new Dictionary<int, string>();
            Stopwatch? clock = null;
            var firstRecord = 0.0;
            var count = 0;
            while (count < m)
            {
                var frame = await reader.ReceiveAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"The edge closed the consume socket after {count} of {m} records: {socket.CloseStatus} {socket.CloseStatusDescription}");
                if (clock is null)
                {
                    cpu = CpuMeter.Start(environment);
                    clock = Stopwatch.StartNew();
                    firstRecord = opened.Elapsed.TotalSeconds;
                }

                if (batchSize > 0)
                {
                    count += WsFrames.CountRecords(frame.Span);
                    continue;
                }

                var info = WsFrames.Inspect(frame.Span, wantId: !autoCommit);
                if (info.IsError)
                {
                    throw new InvalidOperationException($"The proxy sent an error frame: {info.Text}");
                }

                count++;
                if (!autoCommit)
                {
                    latest[info.Partition] = info.WsProxyMessageId!;
                    if (count % commitEvery == 0 || count == m)
                    {
                        // Commits are cumulative per partition: the newest id of each partition read since the last commit.
                        foreach (var id in latest.Values)
                        {
                            await socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"wsProxyMessageId":"{{id}}"}"""),
                                WebSocketMessageType.Text, true, timeout.Token);
                        }

                        latest.Clear();
                    }
                }
            }

            var seconds = clock!.Elapsed.TotalSeconds;
            return new Measured(seconds, firstRecord, cpu!.Read());
        }
        finally
        {
            await WsFrames.CloseQuietlyAsync(socket);
        }
    }

    private sealed record Measured(double Seconds, double FirstRecordSeconds, CpuReading Cpu);
}
