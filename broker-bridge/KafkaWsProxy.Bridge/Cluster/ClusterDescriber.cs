using Confluent.Kafka;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Kafka;
using KafkaWsProxy.Contracts.V1;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Bridge.Cluster;

/// <summary>Describes the brokers of the Kafka cluster behind this bridge.</summary>
internal sealed class ClusterDescriber(AdminClientHandle admin, IOptions<KafkaOptions> options)
{
    public async Task<DescribeClusterResponse> DescribeAsync(CancellationToken cancellationToken)
    {
        Metadata metadata;
        try
        {
            metadata = await admin.GetClusterMetadataAsync(options.Value.MetadataTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            throw KafkaErrorMapping.ToRpcException(e, "Could not describe the Kafka cluster");
        }

        var response = new DescribeClusterResponse { ControllerId = -1 };
        foreach (var broker in metadata.Brokers.OrderBy(b => b.BrokerId))
        {
            response.Brokers.Add(new BrokerDescription { Id = broker.BrokerId, Host = broker.Host, Port = broker.Port });
        }

        return response;
    }
}
