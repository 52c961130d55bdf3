using Grpc.Net.Client;

namespace KafkaWsProxy.Edge.Bridge.Balancing;

/// <summary>
/// Starts resolving and health-watching the bridges when the edge starts (a channel does it
/// lazily, on its first call otherwise), so that the first sockets find healthy bridges known.
/// Does not delay the start: connecting goes on in the background.
/// </summary>
internal sealed class BridgeChannelWarmUp(GrpcChannel channel) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = ConnectAsync();
        return Task.CompletedTask;
    }

    private async Task ConnectAsync()
    {
        try
        {
            await channel.ConnectAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or ObjectDisposedException)
        {
            // Connecting is retried by the channel itself; this only started it early.
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
