using Confluent.Kafka;
using Grpc.Core;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Kafka;
using KafkaWsProxy.Contracts.V1;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Bridge.Produce;

/// <summary>
/// Checks a Produce stream's open message against this bridge and Kafka, and
/// gives it a producer. Every refusal is an <see cref="RpcException"/> with the
/// status the contract names.
/// </summary>
internal sealed class ProduceStreamOpener(
    SharedProducerPool producers,
    TopicCatalog topics,
    IOptions<ProduceOptions> options)
{
    public async Task<(ProduceStream Stream, int PartitionCount)> OpenAsync(ProduceOpen open, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(open.Topic))
        {
            throw Refuse(StatusCode.InvalidArgument, "Request param 'topic' is missing.");
        }

        if (string.IsNullOrWhiteSpace(open.ClientId))
        {
            throw Refuse(StatusCode.InvalidArgument, "Request param 'clientId' is missing.");
        }

        if (open.Transactional)
        {
            throw Refuse(StatusCode.FailedPrecondition, "Transactional producers are not enabled on this server.");
        }

        int? partitions;
        try
        {
            partitions = await topics.GetPartitionCountAsync(open.Topic, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            throw KafkaErrorMapping.ToRpcException(e, $"Could not check topic {open.Topic}");
        }

        if (partitions is null)
        {
            throw Refuse(StatusCode.NotFound, $"Topic {open.Topic} does not exist");
        }

        var producer = producers.Get(open.Credentials);
        return (new ProduceStream(producer, open, options.Value), partitions.Value);
    }

    private static RpcException Refuse(StatusCode code, string message) => new(new Status(code, message));
}
