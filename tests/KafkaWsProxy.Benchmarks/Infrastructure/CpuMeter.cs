using System.Diagnostics;

namespace KafkaWsProxy.Benchmarks.Infrastructure;

/// <summary>CPU time used by this process and by the edge and bridge between two readings.</summary>
internal sealed class CpuMeter
{
    private readonly BenchEnvironment _environment;
    private readonly TimeSpan _self;
    private readonly TimeSpan _edge;
    private readonly TimeSpan _bridge;

    private CpuMeter(BenchEnvironment environment)
    {
        _environment = environment;
        _self = SelfCpu();
        _edge = environment.Edge.CpuTime;
        _bridge = environment.Bridge.CpuTime;
    }

    public static CpuMeter Start(BenchEnvironment environment) => new(environment);

    public CpuReading Read() => new(
        (SelfCpu() - _self).TotalSeconds,
        (_environment.Edge.CpuTime - _edge).TotalSeconds,
        (_environment.Bridge.CpuTime - _bridge).TotalSeconds);

    private static TimeSpan SelfCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}

/// <summary>CPU seconds: this process (client, and the broker when embedded), the edge, the bridge.</summary>
internal readonly record struct CpuReading(double Self, double Edge, double Bridge)
{
    public double Proxy => Edge + Bridge;

    /// <summary>Seconds per 100,000 records.</summary>
    public static double Per100K(double seconds, long records) => records == 0 ? 0 : seconds * 100_000 / records;
}
