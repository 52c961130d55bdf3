using Grpc.Core;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Bridge;
using KafkaWsProxy.Edge.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Edge.Http;

/// <summary>Ready when a bridge answers and that bridge can reach Kafka (it describes the cluster).</summary>
internal sealed class BridgeReadinessCheck(KafkaBridge.KafkaBridgeClient bridge, IOptions<BridgeOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var cluster = await bridge.DescribeClusterAsync(
                new DescribeClusterRequest(),
                deadline: DateTime.UtcNow.Add(options.Value.CallTimeout),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            return cluster.Brokers.Count > 0
                ? HealthCheckResult.Healthy("The bridge reaches Kafka.")
                : HealthCheckResult.Unhealthy("The bridge reports no Kafka brokers.");
        }
        catch (RpcException e)
        {
            return HealthCheckResult.Unhealthy(BridgeStatusMapping.ToHttpMessage(e));
        }
    }
}
