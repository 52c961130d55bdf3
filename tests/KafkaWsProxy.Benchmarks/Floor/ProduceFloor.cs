using KafkaWsProxy.TestSupport;

namespace KafkaWsProxy.Benchmarks.Floor;

/// <summary>The WebSocket floor's process (<see cref="ProduceFloorServer"/>), as the benchmark drives it.</summary>
internal sealed class ProduceFloor : IAsyncDisposable
{
    private readonly ServiceProcess _process;

    private ProduceFloor(ServiceProcess process) => _process = process;

    /// <summary>ws://…/floor</summary>
    public Uri Address => new UriBuilder(_process.Address) { Scheme = "ws", Path = "/floor" }.Uri;

    public TimeSpan CpuTime => _process.CpuTime;

    public static async Task<ProduceFloor> StartAsync() =>
        new(await ServiceProcess.StartAsync("WebSocket floor", typeof(ProduceFloor).Assembly.Location,
            new Dictionary<string, string?>(), options: ServiceProcessOptions.Benchmarks, arguments: [ProduceFloorServer.Argument]));

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
