using Grpc.Core;
using KafkaWsProxy.Bridge.Cluster;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaWsProxy.Bridge.Health;

/// <summary>Healthy while Kafka answers a metadata request: a bridge that cannot reach Kafka should get no new streams.</summary>
internal sealed class KafkaReachableCheck(ClusterDescriber cluster) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var description = await cluster.DescribeAsync(cancellationToken).ConfigureAwait(false);
            return description.Brokers.Count > 0
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("Kafka reports no brokers.");
        }
        catch (RpcException e)
        {
            return HealthCheckResult.Unhealthy(e.Status.Detail);
        }
    }
}
