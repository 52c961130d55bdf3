using System.Diagnostics;
using KafkaWsProxy.Benchmarks.Floor;
using KafkaWsProxy.Benchmarks.Infrastructure;

namespace KafkaWsProxy.Benchmarks.Scenarios;

/// <summary>
/// The produce scenario's client (C sockets × W in flight, the same frames) against
/// <see cref="ProduceFloorServer"/>: the most frames per second this machine's Kestrel and
/// client manage with no Kafka behind them, and the server's CPU per frame. When the
/// produce scenario ran too, the proxy's produce is reported as a ratio of it, and the
/// edge's CPU per record beside the floor server's.
/// </summary>
internal static class WebSocketFloor
{
    private const string Scenario = "floor";

    public static async Task RunAsync(BenchOptions options, BenchReport report)
    {
        var n = options.ProduceRecords;
        var value = Records.Value(options.ValueBytes);
        await using var server = await ProduceFloor.StartAsync();

        // Warm-up, untimed, as the proxy gets: the server's and the client's JIT.
        await SendAllAsync(server, options, options.Quick ? 500 : 20_000, value, new LatencyRecorder());

        Console.WriteLine($"[floor] minimal Kestrel WebSocket server: {n:N0} frames over {options.ProduceSockets} sockets × {options.InFlight} in flight");
        var latency = new LatencyRecorder();
        using var self = Process.GetCurrentProcess();
        var clientBefore = self.TotalProcessorTime;
        var serverBefore = server.CpuTime;
        var seconds = await SendAllAsync(server, options, n, value, latency);
        var serverCpu = (server.CpuTime - serverBefore).TotalSeconds;
        self.Refresh();
        var clientCpu = (self.TotalProcessorTime - clientBefore).TotalSeconds;

        var floor = n / seconds;
        const string Note = "the Direct column is the floor: a minimal Kestrel WebSocket server in a process of its own (parse each frame, answer a JSON ack; no Kafka, no gRPC), the produce scenario's client";
        report.Add(new BenchRow(Scenario, "throughput", "frames/s", floor, null, Note));
        report.Add(new BenchRow(Scenario, "ack latency p50", "ms", latency.PercentileMs(50), null));
        report.Add(new BenchRow(Scenario, "ack latency p99", "ms", latency.PercentileMs(99), null));
        report.Add(new BenchRow(Scenario, "CPU per 100k frames, floor server", "s", CpuReading.Per100K(serverCpu, n), null,
            "what a WebSocket server that parses and answers each frame costs: the edge's counterpart"));
        report.Add(new BenchRow(Scenario, "CPU per 100k frames, benchmark process (client)", "s", CpuReading.Per100K(clientCpu, n), null));
        if (report.Find("produce", "throughput", "records/s") is { Proxy: { } proxy })
        {
            report.Add(new BenchRow(Scenario, "proxy produce vs floor", "records/s", floor, proxy,
                "Proxy/Direct here is the proxy's produce as a ratio of the floor (goal ≥ 0.8×)"));
        }

        if (report.Find("produce", "CPU per 100k records, edge", "s") is { Proxy: { } edge })
        {
            report.Add(new BenchRow(Scenario, "CPU per 100k records, edge vs floor server", "s", CpuReading.Per100K(serverCpu, n), edge,
                "Proxy/Direct here is the edge's CPU per record as a multiple of the floor server's"));
        }
    }

    private static async Task<double> SendAllAsync(ProduceFloor server, BenchOptions options, int n, string value, LatencyRecorder latency)
    {
        var sockets = new List<ProduceSocket>();
        try
        {
            for (var s = 0; s < options.ProduceSockets; s++)
            {
                sockets.Add(await ProduceSocket.ConnectAsync(server.Address, options.InFlight, latency));
            }

            var frames = new byte[sockets.Count][][];
            for (var s = 0; s < sockets.Count; s++)
            {
                frames[s] = Enumerable.Range(0, n).Where(i => i % sockets.Count == s)
                    .Select(i => Records.ProduceFrame(i, value, "m")).ToArray();
            }

            var clock = Stopwatch.StartNew();
            await Task.WhenAll(sockets.Select(async (socket, s) =>
            {
                var acked = socket.ExpectAsync(frames[s].Length);
                foreach (var frame in frames[s])
                {
                    await socket.SendAsync(frame);
                }

                await acked.WaitAsync(TimeSpan.FromMinutes(5));
            }));
            clock.Stop();

            var errors = sockets.Sum(s => s.Errors);
            return errors == 0
                ? clock.Elapsed.TotalSeconds
                : throw new InvalidOperationException($"The floor server answered {errors} frames with an error: {sockets.Select(s => s.FirstError).First(e => e is not null)}");
        }
        finally
        {
            foreach (var socket in sockets)
            {
                await socket.DisposeAsync();
            }
        }
    }
}
