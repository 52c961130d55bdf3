using Confluent.Kafka;
using Grpc.Core;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Kafka;
using KafkaWsProxy.Bridge.Sessions;
using KafkaWsProxy.Contracts.V1;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>
/// Checks a Consume stream's open message against Kafka and creates its
/// session. Every refusal is an <see cref="RpcException"/> with the status the
/// contract names.
/// </summary>
internal sealed class ConsumeStreamOpener(
    KafkaClientConfigFactory configFactory,
    KafkaClientFactory clients,
    TopicCatalog topics,
    IOptions<ConsumeOptions> options,
    IOptions<GrpcOptions> grpcOptions,
    IOptions<KafkaOptions> kafkaOptions,
    IOptions<SessionsOptions> sessionOptions,
    SessionRegistry sessions,
    CredentialVerifier credentials,
    TimeProvider time,
    ConsumerPollerPool pollers,
    ILogger<ConsumeSession> sessionLogger)
{
    /// <summary>
    /// Opens the stream's session and consumer. The lease must be disposed after
    /// the session (its consumer closed, the group left).
    /// </summary>
    public async Task<(ConsumeSession Session, int PartitionCount, SessionLease Lease)> OpenAsync(ConsumeOpen open, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(open.Topic))
        {
            throw Refuse(StatusCode.InvalidArgument, "Request param 'topic' is missing.");
        }

        if (string.IsNullOrWhiteSpace(open.ClientId))
        {
            throw Refuse(StatusCode.InvalidArgument, "Request param 'clientId' is missing.");
        }

        if (open.MaxRecordsPerSecond < 0)
        {
            throw Refuse(StatusCode.InvalidArgument, "max_records_per_second must not be negative.");
        }

        if (open.ResumeWindowMs != 0 && !IsWithinResumeBounds(TimeSpan.FromMilliseconds(open.ResumeWindowMs)))
        {
            throw Refuse(StatusCode.InvalidArgument,
                $"resumeWindowMs {open.ResumeWindowMs} is outside what this server allows: " +
                $"{options.Value.MinResumeWindow.TotalMilliseconds:0} to {options.Value.MaxResumeWindow.TotalMilliseconds:0}, or 0 for none.");
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

        await credentials.VerifyAsync(open.Credentials, open.Topic, cancellationToken).ConfigureAwait(false);
        // The one place the default group is decided, for edges and gRPC-native clients alike (docs/protocol.md §5).
        var groupId = string.IsNullOrWhiteSpace(open.GroupId) ? $"{open.ClientId}-group" : open.GroupId;
        // A newer socket of the same clientId in the group supersedes the older one
        // (docs/protocol.md §5): a client whose socket died with its edge or bridge
        // comes back at once instead of waiting for the registry's TTL.
        var lease = await sessions.ClaimAsync(SessionKind.Consumer, groupId, open.ClientId, GroupLimit(groupId, partitions.Value), cancellationToken)
            .ConfigureAwait(false);
        ConsumeSession? session = null;
        try
        {
            var config = configFactory.CreateConsumerConfig(open, groupId);
            config.StatisticsIntervalMs = (int)options.Value.StatisticsInterval.TotalMilliseconds;
            session = new ConsumeSession(
                new KafkaStreamConsumer(clients, config), pollers, open, groupId, options.Value, grpcOptions.Value, time, sessionLogger);
            if (open.OffsetReset == OffsetReset.None)
            {
                await RequireCommittedOffsetsAsync(session, open, groupId, partitions.Value, cancellationToken).ConfigureAwait(false);
            }

            return (session, partitions.Value, lease);
        }
        catch
        {
            session?.Dispose();
            await lease.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>docs/protocol.md §5.2: Consume:MinResumeWindow to Consume:MaxResumeWindow.</summary>
    private bool IsWithinResumeBounds(TimeSpan window) =>
        window >= options.Value.MinResumeWindow && window <= options.Value.MaxResumeWindow;

    /// <summary>Clients a group may have: the configured limit, never more than the topic's partitions.</summary>
    private int GroupLimit(string groupId, int partitions)
    {
        var configured = sessionOptions.Value.ConsumerLimitFor(groupId);
        return configured <= 0 ? partitions : Math.Min(configured, partitions);
    }

    private async Task RequireCommittedOffsetsAsync(
        ConsumeSession session, ConsumeOpen open, string groupId, int partitions, CancellationToken cancellationToken)
    {
        IReadOnlyList<int> missing;
        try
        {
            missing = await session.PartitionsWithoutCommittedOffsetAsync(partitions, kafkaOptions.Value.MetadataTimeout, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            throw KafkaErrorMapping.ToRpcException(e, $"Could not read the committed offsets of group {groupId}");
        }

        if (missing.Count > 0)
        {
            throw Refuse(StatusCode.FailedPrecondition,
                $"Group {groupId} has no committed offset on partition(s) {string.Join(",", missing)} of topic {open.Topic}, " +
                "and offsetResetStrategy is none.");
        }
    }

    private static RpcException Refuse(StatusCode code, string message) => new(new Status(code, message));
}
