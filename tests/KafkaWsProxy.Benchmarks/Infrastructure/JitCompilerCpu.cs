using System.Globalization;

namespace KafkaWsProxy.Benchmarks.Infrastructure;

/// <summary>
/// CPU used by a .NET process's background JIT compiler: the thread named ".NET Tiered Compilation
/// Worker" (".NET Tiered Com" in /proc, which keeps 15 characters) that recompiles hot methods
/// with full optimisation. Counted per thread id, because the worker exits after a few idle
/// seconds and a new one starts with the next work. Linux only; zero elsewhere.
/// </summary>
internal sealed class JitCompilerCpu
{
    private const string WorkerName = ".NET Tiered Com";

    private readonly int _pid;
    private readonly Dictionary<int, long> _startNanoseconds;

    private JitCompilerCpu(int pid)
    {
        _pid = pid;
        _startNanoseconds = Read(pid);
    }

    public static JitCompilerCpu Start(int pid) => new(pid);

    /// <summary>CPU seconds the compiler threads used since <see cref="Start"/> (a worker that ended meanwhile is not counted).</summary>
    public double Seconds()
    {
        long nanoseconds = 0;
        foreach (var (tid, now) in Read(_pid))
        {
            nanoseconds += now - _startNanoseconds.GetValueOrDefault(tid);
        }

        return nanoseconds / 1e9;
    }

    private static Dictionary<int, long> Read(int pid)
    {
        var threads = new Dictionary<int, long>();
        if (!OperatingSystem.IsLinux())
        {
            return threads;
        }

        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                if (File.ReadAllText(Path.Combine(task, "comm")).TrimEnd('\n') != WorkerName)
                {
                    continue;
                }

                var schedstat = File.ReadAllText(Path.Combine(task, "schedstat"));
                threads[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] =
                    long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The thread ended while the list was read.
            }
        }

        return threads;
    }
}
