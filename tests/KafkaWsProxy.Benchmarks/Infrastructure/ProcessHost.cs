using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace KafkaWsProxy.Benchmarks.Infrastructure;

/// <summary>
/// A real edge or bridge started from its build output on a free loopback port,
/// with its log kept (warnings only, so logging does not cost the measurement)
/// and its process id exposed for CPU readings.
/// </summary>
internal sealed partial class ProcessHost : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    private ProcessHost(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    public Uri Address { get; private set; } = null!;

    public int Pid => _process.Id;

    public string Log => string.Join(Environment.NewLine, _log);

    /// <summary>CPU time (user + system) the process has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            using var current = Process.GetProcessById(Pid);
            return current.TotalProcessorTime;
        }
    }

    public static async Task<ProcessHost> StartAsync(string name, string dll, IDictionary<string, string?> environment)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"The {name} is not built at {dll} (build the solution in the same configuration first).");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // Kestrel's own line with the address it listens on.
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var host = new ProcessHost(name, process);
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            host._log.Enqueue(line);
            var match = ListeningPattern().Match(line);
            if (match.Success)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value));
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => listening.TrySetException(
            new InvalidOperationException($"The {name} exited before listening:{Environment.NewLine}{host.Log}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            host.Address = await listening.Task.WaitAsync(s_startTimeout);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>Asks the process to stop (SIGTERM) and waits; kills it when it does not stop in time.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http\S+)")]
    private static partial Regex ListeningPattern();
}
