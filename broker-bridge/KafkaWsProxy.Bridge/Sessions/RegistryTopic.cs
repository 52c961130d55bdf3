using Confluent.Kafka;
using Confluent.Kafka.Admin;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Kafka;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Bridge.Sessions;

/// <summary>Finds the registry topic, creating it (one partition, compacted) when it is missing.</summary>
internal sealed class RegistryTopic(
    AdminClientHandle admin,
    KafkaClusterConnection cluster,
    IOptions<SessionsOptions> sessions,
    IOptions<KafkaOptions> kafka)
{
    /// <summary>Returns the topic's partition count.</summary>
    public async Task<int> EnsureAsync(CancellationToken cancellationToken)
    {
        var name = sessions.Value.Topic;
        if (await PartitionCountAsync(name, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return existing;
        }

        if (cluster.Embedded is { } embedded)
        {
            // The embedded broker has no CreateTopics API (and no compaction).
            embedded.CreateTopic(name, 1);
        }
        else
        {
            await CreateCompactedAsync(name).ConfigureAwait(false);
        }

        return await PartitionCountAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The session registry topic {name} could not be created.");
    }

    private async Task CreateCompactedAsync(string name)
    {
        try
        {
            await admin.CreateTopicAsync(new TopicSpecification
            {
                Name = name,
                NumPartitions = 1,
                ReplicationFactor = sessions.Value.TopicReplicationFactor,
                Configs = new Dictionary<string, string> { ["cleanup.policy"] = "compact" },
            }).ConfigureAwait(false);
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code == ErrorCode.TopicAlreadyExists))
        {
            // Another bridge created it first.
        }
    }

    private async Task<int?> PartitionCountAsync(string name, CancellationToken cancellationToken)
    {
        var metadata = await admin.GetClusterMetadataAsync(kafka.Value.MetadataTimeout, cancellationToken).ConfigureAwait(false);
        return metadata.Topics.FirstOrDefault(t => t.Topic == name && t.Error.Code == ErrorCode.NoError)?.Partitions.Count;
    }
}
