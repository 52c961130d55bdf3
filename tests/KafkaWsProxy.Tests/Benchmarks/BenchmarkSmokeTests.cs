using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace KafkaWsProxy.Tests.Benchmarks;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BenchmarkSmokeRun
{
    public const string Name = "Benchmark smoke run (alone: it loads every core)";
}

/// <summary>
/// Runs the built benchmark with --quick: it must finish and report every figure.
/// Timing is never asserted: figures only have to be there and be non-negative.
/// </summary>
[Collection(BenchmarkSmokeRun.Name)]
public sealed class BenchmarkSmokeTests : IDisposable
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(120);

    private readonly string _output = Path.Combine(Path.GetTempPath(), "kafkawsproxy-bench-" + Guid.NewGuid().ToString("N"));

    private static readonly (string Scenario, string Figure, string Unit)[] s_expectedFigures =
    [
        ("produce", "throughput", "records/s"),
        ("produce", "throughput", "MB/s key+value"),
        ("produce", "ack latency p50", "ms"),
        ("produce", "ack latency p99", "ms"),
        ("produce", "ack latency p99.9", "ms"),
        ("produce", "CPU per 100k records (direct: client process; proxy: edge+bridge)", "s"),
        ("floor", "throughput", "frames/s"),
        ("floor", "proxy produce vs floor", "records/s"),
        ("consume", "throughput, autoCommit=true", "records/s"),
        ("consume", "throughput, autoCommit=false, commit every 100", "records/s"),
        ("consume", "throughput, autoCommit=true, batchSize=100", "records/s"),
        ("consume", "CPU per 100k records, autoCommit=true, edge", "s"),
        ("consume", "CPU per 100k records, autoCommit=true, bridge", "s"),
        ("latency", "added latency p50 (proxy − direct)", "ms"),
        ("latency", "added latency p99 (proxy − direct)", "ms"),
    ];

    [Fact]
    public async Task QuickRun_ExitsCleanly_AndReportsEveryFigureOfTheMeasuredScenarios()
    {
        var (exitCode, log) = await RunBenchmarkAsync("--quick", "--out", _output);
        Assert.True(exitCode == 0, $"The benchmark exited with {exitCode}:{Environment.NewLine}{log}");

        var json = Assert.Single(Directory.GetFiles(_output, "bench-*.json"));
        Assert.Single(Directory.GetFiles(_output, "bench-*.md"));
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var results = document.RootElement.GetProperty("results").EnumerateArray().ToList();

        foreach (var scenario in new[] { "produce", "consume", "latency" })
        {
            var rows = results.Where(r => r.GetProperty("scenario").GetString() == scenario).ToList();
            Assert.NotEmpty(rows);
            foreach (var row in rows)
            {
                var figure = row.GetProperty("figure").GetString();
                var proxy = row.GetProperty("proxy");
                Assert.True(proxy.ValueKind == JsonValueKind.Number && proxy.GetDouble() >= 0, $"{scenario} / {figure}: proxy is {proxy}");
                var direct = row.GetProperty("direct");
                Assert.True(direct.ValueKind == JsonValueKind.Null || (direct.ValueKind == JsonValueKind.Number && direct.GetDouble() >= 0),
                    $"{scenario} / {figure}: direct is {direct}");
            }
        }

        foreach (var (scenario, figure, unit) in s_expectedFigures)
        {
            Assert.Contains(results, r =>
                r.GetProperty("scenario").GetString() == scenario && r.GetProperty("figure").GetString() == figure
                && r.GetProperty("unit").GetString() == unit);
        }

        // Connection scale: the quick run's one step of 20 idle /out sockets has its figures and is held
        // (a functional check: 20 sockets hold on any healthy machine; no timing is asserted).
        var connections = results.Where(r => r.GetProperty("scenario").GetString() == "connections").ToList();
        foreach (var figure in new[] { "edge memory per socket", "bridge memory per socket", "edge threads per socket", "bridge threads per socket", "time until all K receive" })
        {
            Assert.Contains(connections, r => r.GetProperty("figure").GetString() == $"K=20: {figure}"
                && r.GetProperty("proxy").ValueKind == JsonValueKind.Number);
        }

        var largest = Assert.Single(connections, r => r.GetProperty("figure").GetString()!.StartsWith("largest K held", StringComparison.Ordinal));
        var held = largest.GetProperty("proxy");
        Assert.True(held.ValueKind == JsonValueKind.Number && held.GetDouble() >= 0, $"largest K held: proxy is {held}");
        Assert.True(held.GetDouble() == 20, $"The quick run did not hold its 20 sockets: {largest.GetProperty("note")}{Environment.NewLine}{log}");
    }

    [Fact]
    public async Task Compare_WithAnEarlierRun_PrintsEachFigureBesideTheEarlierOneWithTheRatio()
    {
        var (firstExit, firstLog) = await RunBenchmarkAsync("--quick", "--only", "floor", "--out", _output);
        Assert.True(firstExit == 0, $"The first run exited with {firstExit}:{Environment.NewLine}{firstLog}");
        var earlier = Assert.Single(Directory.GetFiles(_output, "bench-*.json"));

        var (exitCode, log) = await RunBenchmarkAsync("--quick", "--only", "floor", "--out", _output, "--compare", earlier);
        Assert.True(exitCode == 0, $"The compared run exited with {exitCode}:{Environment.NewLine}{log}");
        Assert.Contains($"Compared with {earlier}", log, StringComparison.Ordinal);
        // The floor's throughput, then and now, with a ratio: both runs measured it.
        Assert.Matches(@"\| floor \| throughput \(frames/s\) \| [\d,.]+ \| [\d,.]+ \| [\d.]+× \|", log);
    }

    [Fact]
    public async Task Compare_WithAFileThatIsNotAResult_ExitsWithUsageErrorBeforeMeasuring()
    {
        Directory.CreateDirectory(_output);
        var notAResult = Path.Combine(_output, "not-a-result.json");
        await File.WriteAllTextAsync(notAResult, "{\"results\": 3}");

        var (exitCode, log) = await RunBenchmarkAsync("--quick", "--only", "floor", "--out", _output, "--compare", notAResult);
        Assert.True(exitCode == 2, $"Expected exit code 2, got {exitCode}:{Environment.NewLine}{log}");
        Assert.Contains("is not a benchmark result", log, StringComparison.Ordinal);
        Assert.DoesNotContain("[floor]", log, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Log)> RunBenchmarkAsync(params string[] arguments)
    {
        var dll = typeof(BenchmarkSmokeTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "BenchmarkDll").Value!;
        Assert.True(File.Exists(dll), $"The benchmark is not built at {dll}.");

        var start = DotnetProcessStart.For(dll, arguments);
        // Always the embedded broker: the smoke run must not depend on an outside Kafka.
        start.Environment.Remove("KAFKA_BOOTSTRAP_SERVERS");

        var log = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync().WaitAsync(s_deadline);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"The benchmark did not finish within {s_deadline}:{Environment.NewLine}{Read()}");
        }

        return (process.ExitCode, Read());

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (log)
                {
                    log.AppendLine(line);
                }
            }
        }

        string Read()
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }
}
