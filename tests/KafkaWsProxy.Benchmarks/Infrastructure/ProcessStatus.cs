using System.Globalization;
using System.Text.RegularExpressions;

namespace KafkaWsProxy.Benchmarks.Infrastructure;

/// <summary>Threads of one name in a process: how many, and the CPU seconds they have used.</summary>
internal readonly record struct ThreadGroup(int Count, double CpuSeconds);

/// <summary>
/// Resident memory and threads of a process from /proc/&lt;pid&gt;/status, its threads by name with
/// their CPU time (/proc/&lt;pid&gt;/task/*/comm and schedstat; digits in names folded to #), and its open files
/// (/proc/&lt;pid&gt;/fd). Linux only.
/// </summary>
internal sealed partial record ProcessStatus(long RssKiB, int Threads, IReadOnlyDictionary<string, ThreadGroup> ThreadsByName, int OpenFiles)
{
    public static bool Supported => OperatingSystem.IsLinux();

    public static ProcessStatus Read(int pid)
    {
        long rss = 0;
        var threads = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line["VmRSS:".Length..].Replace("kB", string.Empty, StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        var byName = new Dictionary<string, ThreadGroup>(StringComparer.Ordinal);
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            string name;
            string schedstat;
            try
            {
                name = Digits().Replace(File.ReadAllText(Path.Combine(task, "comm")).Trim(), "#");
                schedstat = File.ReadAllText(Path.Combine(task, "schedstat"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // The thread ended while the list was read.
            }

            // schedstat: nanoseconds on a CPU, exact (stat's utime and stime are sampled per tick, and
            // miss most of the many short runs of thousands of mostly idle threads).
            var cpuSeconds = long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture) / 1e9;
            var group = byName.GetValueOrDefault(name);
            byName[name] = new ThreadGroup(group.Count + 1, group.CpuSeconds + cpuSeconds);
        }

        return new ProcessStatus(rss, threads, byName, Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count());
    }

    /// <summary>Threads added per socket since <paramref name="baseline"/>, by name, the most first: "rdk:main 1, ...".</summary>
    public string ThreadsPerSocketByName(ProcessStatus baseline, int sockets) => Top(
        ThreadsByName.Select(n => (n.Key, (double)(n.Value.Count - baseline.ThreadsByName.GetValueOrDefault(n.Key).Count) / sockets)),
        minimum: 0.05, "0.##");

    /// <summary>CPU used since <paramref name="before"/> by name, in % of a core over <paramref name="seconds"/>: "rdk:broker# 40%, ...".</summary>
    public string CpuByName(ProcessStatus before, double seconds) => Top(
        ThreadsByName.Select(n => (n.Key, (n.Value.CpuSeconds - before.ThreadsByName.GetValueOrDefault(n.Key).CpuSeconds) * 100 / seconds)),
        minimum: 0.5, "0.#'%'");

    private static string Top(IEnumerable<(string Name, double Value)> values, double minimum, string format) => string.Join(", ", values
        .Where(v => v.Value >= minimum)
        .OrderByDescending(v => v.Value)
        .Select(v => v.Name + " " + v.Value.ToString(format, CultureInfo.InvariantCulture)));

    [GeneratedRegex("[0-9]+")]
    private static partial Regex Digits();
}
