using KafkaWsProxy.Benchmarks.Infrastructure;
using KafkaWsProxy.TestSupport.Fuzzing;

namespace KafkaWsProxy.Benchmarks.Scenarios;

/// <summary>
/// The test suite's hostile-frame fuzz (HostileFramesFuzzTests) for as long as asked
/// (--fuzz-seconds), with a chosen seed (--fuzz-seed). Any broken rule fails the run.
/// </summary>
internal static class Fuzz
{
    // The edge's default Sockets:MaxFrameBytes, which the benchmark's edge runs with.
    private const int MaxFrameBytes = 1024 * 1024;

    public static async Task RunAsync(BenchEnvironment environment, BenchOptions options, BenchReport report)
    {
        Console.WriteLine($"[fuzz] hostile frames on both sockets for {options.FuzzSeconds} s, seed {options.FuzzSeed}");
        var topic = await environment.CreateTopicAsync("fuzz");
        var runner = new FuzzRunner(environment.SocketUri, topic, MaxFrameBytes);
        var result = await runner.RunAsync(options.FuzzSeed, int.MaxValue, DateTime.UtcNow.AddSeconds(options.FuzzSeconds), CancellationToken.None);
        Console.WriteLine(result);

        report.Add(new BenchRow("fuzz", "rounds", "sockets", null, result.Rounds, $"seed {result.Seed}"));
        report.Add(new BenchRow("fuzz", "frames", "frames", null, result.FramesByKind.Values.Sum()));
        report.Add(new BenchRow("fuzz", "violations", "count", null, result.Violations.Count));
        if (result.Violations.Count > 0 || environment.Bridge.HasExited || environment.Edge.HasExited)
        {
            throw new InvalidOperationException(
                $"The fuzz found violations (rerun with --fuzz-seed {result.Seed}); bridge exited: {environment.Bridge.HasExited}, edge exited: {environment.Edge.HasExited}.");
        }
    }
}
