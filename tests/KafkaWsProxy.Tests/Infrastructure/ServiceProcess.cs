using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace KafkaWsProxy.Tests.Infrastructure;

/// <summary>
/// A real edge or bridge process started from its build output on a free
/// loopback port (--urls http://127.0.0.1:0), with its log captured.
/// </summary>
internal sealed partial class ServiceProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    private ServiceProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    public string Name { get; }

    /// <summary>The address Kestrel reported it listens on, e.g. http://127.0.0.1:41234.</summary>
    public Uri Address { get; private set; } = null!;

    public IEnumerable<string> LogLines => _log;

    public string Log => string.Join(Environment.NewLine, _log);

    public bool HasExited => _process.HasExited;

    public static Task<ServiceProcess> StartBridgeAsync(IDictionary<string, string?> environment, bool https = false) =>
        StartAsync("bridge", BuildOutputs.BridgeDll, environment, https);

    public static Task<ServiceProcess> StartEdgeAsync(Uri bridgeAddress, IDictionary<string, string?>? environment = null, bool https = false)
    {
        var env = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
        {
            ["Bridge__Address"] = bridgeAddress.ToString(),
        };
        return StartAsync("edge", BuildOutputs.EdgeDll, env, https);
    }

    private static async Task<ServiceProcess> StartAsync(string name, string dll, IDictionary<string, string?> environment, bool https)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"The {name} is not built at {dll}.");
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
        start.ArgumentList.Add(https ? "https://127.0.0.1:0" : "http://127.0.0.1:0");
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        start.Environment["Logging__LogLevel__KafkaWsProxy"] = "Debug";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var service = new ServiceProcess(name, process);
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

    /// <summary>Asks the process to stop (SIGTERM), as an orchestrator would, and waits for it to exit.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync().WaitAsync(timeout);
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

        // Kept for diagnosis of failed runs: TestResults/service-logs/{name}-{pid}.log
        var folder = Path.Combine(BuildOutputs.RepositoryRoot, "TestResults", "service-logs");
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, $"{Name}-{_process.Id}.log"), Log);

        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http\S+)")]
    private static partial Regex ListeningPattern();
}
