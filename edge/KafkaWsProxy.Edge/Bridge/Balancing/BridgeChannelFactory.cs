using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using KafkaWsProxy.Edge.Configuration;

namespace KafkaWsProxy.Edge.Bridge.Balancing;

/// <summary>
/// The edge's one gRPC channel. One bridge: dialled directly. Several (a list, or a
/// dns:/// name): grpc-dotnet's client-side balancing, round robin over the bridges that
/// report SERVING (see <see cref="HealthyBridgeResolver"/>).
/// </summary>
internal static class BridgeChannelFactory
{
    public static GrpcChannel Create(BridgeOptions bridge, GrpcChannelOptions channelOptions, ILoggerFactory loggerFactory)
    {
        if (!BridgeTargets.TryParse(bridge.Address, out var targets))
        {
            throw new InvalidOperationException("Bridge:Address is not a valid bridge address list.");
        }

        if (targets.IsSingle)
        {
            return GrpcChannel.ForAddress(targets.Addresses[0], channelOptions);
        }

        var services = new ServiceCollection();
        services.AddSingleton<ResolverFactory>(new HealthyBridgeResolverFactory(targets, bridge, loggerFactory));
        services.AddSingleton<LoadBalancerFactory>(new RoundRobinBalancerFactory());
        channelOptions.ServiceProvider = services.BuildServiceProvider();
        channelOptions.ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } };
        channelOptions.Credentials = targets.UsesTls(bridge.DnsUseTls) ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure;
        // A bridge that went away is dialled again soon after it is healthy again (the health
        // watch re-adds it); the default backoff grows to two minutes.
        channelOptions.MaxReconnectBackoff = TimeSpan.FromSeconds(5);
        // For a DNS name the channel address carries host:port, where the DNS resolver reads it.
        var path = targets.DnsName is { } dns ? dns.AbsolutePath.TrimStart('/') : "kafka-bridges";
        return GrpcChannel.ForAddress($"{HealthyBridgeResolverFactory.Scheme}:///{path}", channelOptions);
    }
}
