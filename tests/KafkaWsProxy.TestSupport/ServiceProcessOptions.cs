namespace KafkaWsProxy.TestSupport;

/// <summary>How a <see cref="ServiceProcess"/> logs, and whether its log is written out when it is disposed.</summary>
public sealed record ServiceProcessOptions
{
    /// <summary>
    /// For tests (the default): KafkaWsProxy's own log at Debug, which tests wait on, written to
    /// TestResults/service-logs/{name}-{pid}.log on dispose for diagnosing failed runs.
    /// </summary>
    public static ServiceProcessOptions Tests { get; } = new()
    {
        LogLevels = new Dictionary<string, string> { ["KafkaWsProxy"] = "Debug" },
        LogFolder = Path.Combine(BuildOutputs.RepositoryRoot, "TestResults", "service-logs"),
        // A CI machine whose every core is busy can take longer than the 10 s defaults to register a
        // session (written to the registry topic and read back) and open a stream; what a test means
        // by refused is a refusal, not the machine's load. Tests of these deadlines set their own.
        Settings = new Dictionary<string, string?>
        {
            ["Bridge__OpenTimeout"] = "00:00:30",
            ["Sessions__ClaimTimeout"] = "00:00:25",
        },
    };

    /// <summary>
    /// For benchmarks: warnings only, so logging does not cost the measurement, but with Kestrel's
    /// line saying the address it listens on; the log is kept in memory only.
    /// </summary>
    public static ServiceProcessOptions Benchmarks { get; } = new()
    {
        LogLevels = new Dictionary<string, string>
        {
            ["Default"] = "Warning",
            ["Microsoft.Hosting.Lifetime"] = "Information",
            // The broadcast scenario tells a socket's own fall-behind from its shared stream's.
            ["KafkaWsProxy.Edge.Consume.BroadcastFanOuts"] = "Information",
        },
    };

    /// <summary>Minimum log level by category (Logging:LogLevel:{category}); the environment given at start overrides it.</summary>
    public IReadOnlyDictionary<string, string> LogLevels { get; init; } = new Dictionary<string, string>();

    /// <summary>Settings (environment variables) every service starts with; the environment given at start overrides them.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>The folder the log is written to on dispose, as {name}-{pid}.log; null: it is not written.</summary>
    public string? LogFolder { get; init; }
}
