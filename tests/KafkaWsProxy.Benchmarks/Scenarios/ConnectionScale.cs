using KafkaWsProxy.Benchmarks.Infrastructure;

namespace KafkaWsProxy.Benchmarks.Scenarios;

/// <summary>Idle /out sockets held at once: not measured in this first version of the benchmark.</summary>
internal static class ConnectionScale
{
    public static void Run(BenchReport report) =>
        report.Add(new BenchRow("connections", "concurrent idle /out sockets held 30 s", "sockets", null, null,
            "not measured in this version"));
}
