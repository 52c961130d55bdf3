using System.Globalization;
using KafkaWsProxy.TestSupport;

namespace KafkaWsProxy.Benchmarks.Floor;

/// <summary>The broadcast floor's process (<see cref="BroadcastFloorServer"/>), as the benchmark drives it.</summary>
internal sealed class BroadcastFloor : IAsyncDisposable
{
    private readonly ServiceProcess _process;
    private readonly HttpClient _http;

    private BroadcastFloor(ServiceProcess process)
    {
        _process = process;
        _http = new HttpClient { BaseAddress = process.Address, Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>ws://…/broadcast</summary>
    public Uri Address => new UriBuilder(_process.Address) { Scheme = "ws", Path = "/broadcast" }.Uri;

    public TimeSpan CpuTime => _process.CpuTime;

    public static async Task<BroadcastFloor> StartAsync(int queuedFrames)
    {
        var process = await ServiceProcess.StartAsync("broadcast floor", typeof(BroadcastFloor).Assembly.Location,
            new Dictionary<string, string?> { ["queued-frames"] = queuedFrames.ToString(CultureInfo.InvariantCulture) },
            options: ServiceProcessOptions.Benchmarks, arguments: [BroadcastFloorServer.Argument]);
        return new BroadcastFloor(process);
    }

    /// <summary>Has the floor make records for <paramref name="duration"/>; returns how many.</summary>
    public async Task<long> ProduceAsync(string topic, int rate, TimeSpan duration, int batchSize)
    {
        using var response = await _http.PostAsync(
            string.Create(CultureInfo.InvariantCulture, $"/produce?topic={topic}&rate={rate}&seconds={(int)duration.TotalSeconds}&batchSize={batchSize}"), null);
        response.EnsureSuccessStatusCode();
        return long.Parse(await response.Content.ReadAsStringAsync(), CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _process.DisposeAsync();
    }
}
