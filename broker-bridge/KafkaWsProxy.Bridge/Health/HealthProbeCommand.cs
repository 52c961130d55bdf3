using Grpc.Health.V1;
using Grpc.Net.Client;

namespace KafkaWsProxy.Bridge.Health;

/// <summary>
/// <c>dotnet KafkaWsProxy.Bridge.dll healthcheck [address]</c>: asks a running bridge's
/// grpc.health.v1 service whether it is SERVING; exit code 0 when it is, 1 otherwise.
/// For container health checks, since the ASP.NET runtime image has no grpc_health_probe.
/// </summary>
internal static class HealthProbeCommand
{
    public const string Name = "healthcheck";
    private const string DefaultAddress = "http://127.0.0.1:50051";

    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Name;

    public static async Task<int> RunAsync(string[] args)
    {
        var address = args.Length > 1 ? args[1] : DefaultAddress;
        try
        {
            using var channel = GrpcChannel.ForAddress(address);
            var reply = await new Grpc.Health.V1.Health.HealthClient(channel)
                .CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5)).ConfigureAwait(false);
            await Console.Out.WriteLineAsync($"{address}: {reply.Status}").ConfigureAwait(false);
            return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving ? 0 : 1;
        }
        catch (Exception e) when (e is Grpc.Core.RpcException or UriFormatException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"{address}: {e.Message}").ConfigureAwait(false);
            return 1;
        }
    }
}
