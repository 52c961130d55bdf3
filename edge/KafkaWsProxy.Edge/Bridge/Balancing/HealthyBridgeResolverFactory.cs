using Grpc.Net.Client.Balancer;
using KafkaWsProxy.Edge.Configuration;

namespace KafkaWsProxy.Edge.Bridge.Balancing;

/// <summary>
/// Resolves the channel address <c>bridges:///</c> to the healthy ones of the configured
/// bridges: the fixed list through grpc-dotnet's static resolver, a dns:/// name through its
/// DNS resolver, each filtered by <see cref="HealthyBridgeResolver"/>.
/// </summary>
internal sealed class HealthyBridgeResolverFactory(BridgeTargets targets, BridgeOptions options, ILoggerFactory loggerFactory) : ResolverFactory
{
    public const string Scheme = "bridges";

    public override string Name => Scheme;

    public override Resolver Create(ResolverOptions resolverOptions)
    {
        Resolver candidates;
        if (targets.DnsName is not null)
        {
            // The channel address is bridges:///host:port here (see BridgeChannelFactory), which the DNS resolver reads.
            candidates = new DnsResolverFactory(options.DnsRefreshInterval).Create(resolverOptions);
        }
        else
        {
            var addresses = targets.Addresses.Select(a => new BalancerAddress(a.Host, a.Port)).ToList();
            candidates = new StaticResolverFactory(_ => addresses).Create(resolverOptions);
        }

        var tls = targets.UsesTls(options.DnsUseTls);
        var logger = loggerFactory.CreateLogger<BridgeHealthWatch>();
        return new HealthyBridgeResolver(candidates, (address, onChange) => new BridgeHealthWatch(address, tls, options, onChange, logger));
    }
}
