using Confluent.Kafka;
using Grpc.Core;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Kafka;
using KafkaWsProxy.Bridge.Sessions;
using KafkaWsProxy.Contracts.V1;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Bridge.Produce;

/// <summary>A Produce stream ready to run, with the session it holds (if sessions are on).</summary>
internal sealed record OpenedProduceStream(IProduceStream Stream, int PartitionCount, SessionLease? Session) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        Stream.Dispose();
        if (Session is not null)
        {
            await Session.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>
/// Checks a Produce stream's open message against this bridge and Kafka,
/// registers its session, and gives it a producer. Every refusal is an
/// <see cref="RpcException"/> with the status the contract names.
/// </summary>
internal sealed class ProduceStreamOpener(
    SharedProducerPool producers,
    KafkaClientConfigFactory configs,
    TopicCatalog topics,
    SessionRegistry sessions,
    CredentialVerifier credentials,
    ProducerRateLimits rateLimits,
    IOptions<ProduceOptions> options,
    IOptions<GrpcOptions> grpcOptions,
    IOptions<SessionsOptions> sessionOptions,
    KafkaClientFactory clients,
    Telemetry.BridgeMetrics metrics)
{
    public async Task<OpenedProduceStream> OpenAsync(ProduceOpen open, CancellationToken cancellationToken)
    {
        var limits = sessionOptions.Value;
        Validate(open, limits);

        var partitions = await PartitionCountAsync(open.Topic, cancellationToken).ConfigureAwait(false);
        await credentials.VerifyAsync(open.Credentials, open.Topic, cancellationToken).ConfigureAwait(false);
        var session = limits.ProducerSessionsEnabled
            ? await sessions.ClaimAsync(SessionKind.Producer, open.ClientId, open.InstanceId, limits.ProducerLimitFor(open.ClientId), cancellationToken)
                .ConfigureAwait(false)
            : null;
        try
        {
            IProduceStream stream = open.Transactional
                ? await TransactionalProduceStream.StartAsync(
                    configs.CreateTransactionalProducerConfig(open.Credentials, TransactionalProduceStream.TransactionalIdOf(open), options.Value.TransactionTimeout),
                    open, options.Value, rateLimits, clients, cancellationToken).ConfigureAwait(false)
                : new ProduceStream(producers.Get(open.Credentials), open, options.Value, grpcOptions.Value, rateLimits, metrics);
            return new OpenedProduceStream(stream, partitions, session);
        }
        catch
        {
            if (session is not null)
            {
                await session.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    private static void Validate(ProduceOpen open, SessionsOptions limits)
    {
        if (string.IsNullOrWhiteSpace(open.Topic))
        {
            throw Refuse(StatusCode.InvalidArgument, "Request param 'topic' is missing.");
        }

        if (string.IsNullOrWhiteSpace(open.ClientId))
        {
            throw Refuse(StatusCode.InvalidArgument, "Request param 'clientId' is missing.");
        }

        if (open.Transactional && !(limits.ProducerSessionsEnabled && limits.ExactlyOnceEnabled))
        {
            throw Refuse(StatusCode.FailedPrecondition,
                "Transactional producers are not enabled on this server (they need producer sessions and exactly-once to be enabled).");
        }

        if (string.IsNullOrWhiteSpace(open.InstanceId))
        {
            if (open.Transactional)
            {
                throw Refuse(StatusCode.InvalidArgument,
                    "Request param 'instanceId' is required for transactional producers: the transactional id is {clientId}-{instanceId}.");
            }

            if (limits.ProducerSessionsEnabled)
            {
                throw Refuse(StatusCode.InvalidArgument,
                    "Request param 'instanceId' is required: producer sessions are enabled on this server, and instanceId tells the sockets of one clientId apart.");
            }
        }
    }

    private async Task<int> PartitionCountAsync(string topic, CancellationToken cancellationToken)
    {
        int? partitions;
        try
        {
            partitions = await topics.GetPartitionCountAsync(topic, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            throw KafkaErrorMapping.ToRpcException(e, $"Could not check topic {topic}");
        }

        return partitions ?? throw Refuse(StatusCode.NotFound, $"Topic {topic} does not exist");
    }

    private static RpcException Refuse(StatusCode code, string message) => new(new Status(code, message));
}
