using KafkaWsProxy.Benchmarks.Infrastructure;

namespace KafkaWsProxy.Benchmarks.Scenarios;

/// <summary>
/// Records through the proxy both ways before anything is measured, untimed, and read
/// back each way the consume scenario reads: edge and bridge are long-running
/// services, and a cold run measured their JIT compilation too (consume measured
/// alone cost edge + bridge ~2.9 CPU-s per 100k records, warm ~1.3).
/// </summary>
internal static class WarmUp
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromMinutes(2);

    // A round and the recompilation after it that cost the edge's and the bridge's JIT compilers less than this end the warm-up.
    private const double SettledJitSeconds = 0.05;
    private const int MaxRounds = 6;

    public static async Task RunAsync(BenchEnvironment environment, BenchOptions options)
    {
        var records = options.Quick ? 500 : 20_000;
        Console.WriteLine($"[warm-up] {records:N0} records through /socket/in and back through /socket/out (not measured)");
        await RoundAsync(environment, options, records);
        if (options.Quick)
        {
            return;
        }

        // The runtime recompiles hot methods in the background, after they ran, and with dynamic PGO
        // in two steps (instrumented, then optimised), each after further calls: one round leaves
        // most of it to the measured runs (a profile of produce saw the edge's compiler take as
        // much CPU as its sockets). Rounds go on until one costs the compilers next to nothing. What is
        // left is mostly the code a new socket runs once (its upgrade, its bridge call), which tiers up
        // after the scenarios open their sockets: they settle again before their clocks start.
        for (var round = 2; round <= MaxRounds; round++)
        {
            var edgeJit = JitCompilerCpu.Start(environment.Edge.Pid);
            var bridgeJit = JitCompilerCpu.Start(environment.Bridge.Pid);
            await RoundAsync(environment, options, records);
            await SettleAsync(environment);
            var spent = edgeJit.Seconds() + bridgeJit.Seconds();
            Console.WriteLine(string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"[warm-up] round {round}: the JIT compilers of edge + bridge used {spent:0.000} CPU-s"));
            if (spent < SettledJitSeconds)
            {
                return;
            }
        }
    }

    /// <summary>Waits (up to a deadline) until neither compiler used CPU for half a second.</summary>
    public static async Task SettleAsync(BenchEnvironment environment)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            var edgeJit = JitCompilerCpu.Start(environment.Edge.Pid);
            var bridgeJit = JitCompilerCpu.Start(environment.Bridge.Pid);
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            if (edgeJit.Seconds() + bridgeJit.Seconds() < 0.005)
            {
                return;
            }
        }
    }

    private static async Task RoundAsync(BenchEnvironment environment, BenchOptions options, int records)
    {
        var topic = await environment.CreateTopicAsync("warm-up");
        var value = Records.Value(options.ValueBytes);

        await using (var socket = await ProduceSocket.ConnectAsync(
            environment.SocketUri("/socket/in", $"clientId=bench-warm-up&topic={topic}&keyType=string"), options.InFlight, new LatencyRecorder()))
        {
            var acked = socket.ExpectAsync(records);
            for (var i = 0; i < records; i++)
            {
                await socket.SendAsync(Records.ProduceFrame(i, value, "w"));
            }

            await acked.WaitAsync(s_deadline);
        }

        await ConsumeThroughput.WarmUpAsync(environment, topic, records, options.CommitEvery);
    }
}
