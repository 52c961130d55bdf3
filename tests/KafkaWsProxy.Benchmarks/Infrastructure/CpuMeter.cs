using System.Diagnostics;

namespace KafkaWsProxy.Benchmarks.Infrastructure;

/// <summary>CPU time used by this process and by the edge and bridge between two readings.</summary>
internal sealed class CpuMeter
{
    private readonly BenchEnvironment _environment;
    private readonly TimeSpan _self;
    private readonly TimeSpan _edge;
    private readonly TimeSpan _bridge;
    private readonly JitCompilerCpu _edgeJit;
    private readonly JitCompilerCpu _bridgeJit;

    private CpuMeter(BenchEnvironment environment)
    {
        _environment = environment;
        _self = SelfCpu();
        _edge = environment.Edge.CpuTime;
        _bridge = environment.Bridge.CpuTime;
        _edgeJit = JitCompilerCpu.Start(environment.Edge.Pid);
        _bridgeJit = JitCompilerCpu.Start(environment.Bridge.Pid);
    }

    public static CpuMeter Start(BenchEnvironment environment) => new(environment);

    public CpuReading Read() => new(
        (SelfCpu() - _self).TotalSeconds,
        (_environment.Edge.CpuTime - _edge).TotalSeconds,
        (_environment.Bridge.CpuTime - _bridge).TotalSeconds,
        _edgeJit.Seconds() + _bridgeJit.Seconds());

    private static TimeSpan SelfCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}

/// <summary>
/// CPU seconds: this process (client, and the broker when embedded), the edge, the bridge; and, part
/// of the edge's and the bridge's, their background JIT compilers (<see cref="JitCompilerCpu"/>).
/// </summary>
internal readonly record struct CpuReading(double Self, double Edge, double Bridge, double ProxyJit = 0)
{
    public double Proxy => Edge + Bridge;

    /// <summary>Seconds per 100,000 records.</summary>
    public static double Per100K(double seconds, long records) => records == 0 ? 0 : seconds * 100_000 / records;
}
