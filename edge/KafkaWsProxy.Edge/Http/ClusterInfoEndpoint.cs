using Grpc.Core;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Bridge;
using KafkaWsProxy.Edge.Configuration;
using KafkaWsProxy.Edge.Responses;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Edge.Http;

/// <summary>GET /kafka/cluster/info: the brokers, as the bridge sees them.</summary>
internal static class ClusterInfoEndpoint
{
    public const string Path = "/kafka/cluster/info";

    public static async Task<IResult> HandleAsync(
        KafkaBridge.KafkaBridgeClient bridge, IOptions<BridgeOptions> options, CancellationToken cancellationToken)
    {
        try
        {
            var cluster = await bridge.DescribeClusterAsync(
                new DescribeClusterRequest(),
                deadline: DateTime.UtcNow.Add(options.Value.CallTimeout),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            var brokers = cluster.Brokers
                .Select(b => new BrokerInfo(b.Id, b.Host, b.Port, string.IsNullOrEmpty(b.Rack) ? null : b.Rack))
                .ToArray();
            return Results.Json(brokers, EdgeJson.Context.BrokerInfoArray);
        }
        catch (RpcException e)
        {
            return JsonResponses.Error(BridgeStatusMapping.ToHttpStatus(e.StatusCode), BridgeStatusMapping.ToHttpMessage(e));
        }
    }
}
