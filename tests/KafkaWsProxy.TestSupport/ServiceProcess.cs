using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace KafkaWsProxy.TestSupport;

/// <summary>
/// A real edge or bridge process started from its build output on a free
/// loopback port (--urls http://127.0.0.1:0), with its log captured and its
/// process id exposed (for CPU readings).
/// </summary>
public sealed partial class ServiceProcess : IAsyncDisposable
{
    // Generous: a shared CI machine with every core busy can take a minute to start a service (JIT, TLS, OpenTelemetry).
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(150);

    private readonly Process _process;
    private readonly string? _logFolder;
    private readonly ConcurrentQueue<string> _log = new();

    private ServiceProcess(string name, Process process, string? logFolder)
    {
        Name = name;
        _process = process;
        _logFolder = logFolder;
    }

    public string Name { get; }

    // {name}-{pid}.running beside the logs while the process lives: a test host that crashes
    // leaves its services running, and ./test.sh stops the ones marked before its next run.
    private string RunningMarker => Path.Combine(_logFolder!, $"{Name}-{_process.Id}.running");

    private void MarkRunning()
    {
        if (_logFolder is not null)
        {
            Directory.CreateDirectory(_logFolder);
            File.WriteAllText(RunningMarker, string.Empty);
        }
    }

    /// <summary>The address Kestrel reported it listens on, e.g. http://127.0.0.1:41234.</summary>
    public Uri Address { get; private set; } = null!;

    public int Pid => _process.Id;

    /// <summary>CPU time (user + system) the process has used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            using var current = Process.GetProcessById(Pid);
            return current.TotalProcessorTime;
        }
    }

    public IEnumerable<string> LogLines => _log;

    public string Log => string.Join(Environment.NewLine, _log);

    public bool HasExited => _process.HasExited;

    public static Task<ServiceProcess> StartBridgeAsync(
        IDictionary<string, string?> environment, bool https = false, ServiceProcessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(environment);

        // The bridge's metrics listener has a fixed port by default; bridges started side by side each take a free one.
        var env = new Dictionary<string, string?>(environment);
        env.TryAdd("Telemetry__MetricsUrls", "http://127.0.0.1:0");
        return StartAsync("bridge", BuildOutputs.BridgeDll, env, https, options);
    }

    public static Task<ServiceProcess> StartEdgeAsync(
        Uri bridgeAddress, IDictionary<string, string?>? environment = null, bool https = false, ServiceProcessOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bridgeAddress);
        var env = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
        {
            ["Bridge__Address"] = bridgeAddress.ToString(),
        };
        return StartAsync("edge", BuildOutputs.EdgeDll, env, https, options);
    }

    /// <summary>
    /// Starts <paramref name="dll"/> (with <paramref name="arguments"/> before its --urls) and waits until it listens;
    /// <paramref name="options"/> defaults to <see cref="ServiceProcessOptions.Tests"/>.
    /// </summary>
    public static async Task<ServiceProcess> StartAsync(
        string name, string dll, IDictionary<string, string?> environment, bool https = false, ServiceProcessOptions? options = null,
        IEnumerable<string>? arguments = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        options ??= ServiceProcessOptions.Tests;
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"The {name} is not built at {dll} (build the solution in the same configuration first).");
        }

        var start = DotnetProcessStart.For(dll, [.. arguments ?? [], "--urls", https ? "https://127.0.0.1:0" : "http://127.0.0.1:0"]);
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        // A failed run's service logs (TestResults/service-logs) then say how long each step took.
        start.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        foreach (var (category, level) in options.LogLevels)
        {
            start.Environment[$"Logging__LogLevel__{category}"] = level;
        }

        foreach (var (key, value) in options.Settings)
        {
            start.Environment[key] = value;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(name, process, options.LogFolder);
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            service._log.Enqueue(line);
            var match = ListeningPattern().Match(line);
            if (match.Success)
            {
                listening.TrySetResult(new Uri(match.Groups[1].Value));
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => listening.TrySetException(
            new InvalidOperationException($"The {name} exited before listening:{Environment.NewLine}{service.Log}"));
        process.Start();
        service.MarkRunning();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            service.Address = await listening.Task.WaitAsync(s_startTimeout);
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }

        return service;
    }

    /// <summary>Waits until a log line matches.</summary>
    public Task WaitForLogAsync(Func<string, bool> predicate, string what, TimeSpan? timeout = null) =>
        Eventually.TrueAsync(() => _log.Any(predicate), $"{Name} log: {what}", timeout);

    public int CountLog(string fragment) => _log.Count(l => l.Contains(fragment, StringComparison.Ordinal));

    /// <summary>
    /// Asks the process to stop (SIGTERM), as an orchestrator would, and waits for it to exit.
    /// When it has not exited within <paramref name="timeout"/>: a <see cref="TimeoutException"/>,
    /// or with <paramref name="killAfterTimeout"/> it is killed instead.
    /// </summary>
    public async Task StopAsync(TimeSpan timeout, bool killAfterTimeout = false)
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
        catch (TimeoutException) when (killAfterTimeout)
        {
            await KillAsync();
        }
    }

    /// <summary>
    /// Freezes the process (SIGSTOP): its connections stay open but nothing answers,
    /// as when a host vanishes without closing them. <see cref="ThawAsync"/> or
    /// disposing (which kills it) ends that.
    /// </summary>
    public Task FreezeAsync() => SignalAsync("-STOP");

    /// <summary>Lets a frozen process run again (SIGCONT).</summary>
    public Task ThawAsync() => SignalAsync("-CONT");

    private async Task SignalAsync(string signal)
    {
        if (_process.HasExited)
        {
            return;
        }

        using var kill = Process.Start("kill", [signal, Pid.ToString(CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    /// <summary>Ends the process at once, as a crash would (no clean shutdown).</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (InvalidOperationException)
        {
            // Never started.
        }

        if (_logFolder is not null)
        {
            Directory.CreateDirectory(_logFolder);
            await File.WriteAllTextAsync(Path.Combine(_logFolder, $"{Name}-{_process.Id}.log"), Log);
            File.Delete(RunningMarker);
        }

        _process.Dispose();
    }

    // [^\s"]: the address also ends inside a JSON log line.
    [GeneratedRegex(@"Now listening on: (http[^\s""]+)")]
    private static partial Regex ListeningPattern();
}
