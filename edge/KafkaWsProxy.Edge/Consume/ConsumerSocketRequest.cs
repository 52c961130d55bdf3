using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>What the edge itself does for a /socket/out socket, beyond the bridge's open message.</summary>
/// <param name="BatchSize">0: one record per frame; N: frames are arrays of up to N records.</param>
/// <param name="AutoCommit">The edge commits each record once it is written to the socket.</param>
/// <param name="Broadcast">mode=broadcast (docs/protocol.md §5.1): no group, no commits.</param>
internal sealed record ConsumerSocketSettings(ConsumeOpen Open, int BatchSize, bool AutoCommit, bool Broadcast = false);

/// <summary>The query of a /socket/out request (docs/protocol.md §5), validated.</summary>
internal static class ConsumerSocketRequest
{
    public const int MaxBatchSize = 10_000;
    public const int MaxRate = 1_000_000;
    public const int MaxResumeWindowMs = 86_400_000;

    private const string WithBroadcast = "with mode=broadcast: a broadcast socket has no consumer group and commits nothing";
    private const string OnlyBroadcast = "without mode=broadcast: it sets where a broadcast socket starts";

    public static ConsumerSocketSettings Parse(IQueryCollection query)
    {
        var reader = new QueryReader(query);
        var open = new ConsumeOpen
        {
            ClientId = reader.Required("clientId"),
            Topic = reader.Topic(),
        };
        var broadcast = reader.Choice("mode", false, s_modes);
        if (!broadcast)
        {
            // Absent: the bridge decides the default group (docs/protocol.md §5) and names it in its opened message.
            open.GroupId = reader.Optional("groupId") ?? string.Empty;
        }

        reader.SocketPayload();
        open.KeyFormat = reader.Format("keyType", DataFormat.String);
        open.ValueFormat = reader.Format("valType", DataFormat.String);
        open.IsolationLevel = reader.Choice("isolationLevel", IsolationLevel.ReadUncommitted, s_isolationLevels);
        open.MaxRecordsPerSecond = reader.Integer("rate", 0, 0, MaxRate);
        var batchSize = reader.Integer("batchSize", 0, 0, MaxBatchSize);
        if (broadcast)
        {
            return ParseBroadcast(reader, open, batchSize);
        }

        reader.Absent("startOffsets", OnlyBroadcast);
        reader.Absent("startTimestamp", OnlyBroadcast);
        open.OffsetReset = reader.Choice("offsetResetStrategy", OffsetReset.Earliest, s_offsetResets);
        var autoCommit = reader.Boolean("autoCommit", whenAbsent: true);
        // docs/protocol.md §5.2; the bridge holds it to its bounds.
        open.ResumeWindowMs = (uint)reader.Integer("resumeWindowMs", 0, 0, MaxResumeWindowMs);

        // The edge commits for autoCommit sockets itself, after each write to the
        // socket, so the bridge always waits for commits.
        open.AutoCommit = false;
        return new ConsumerSocketSettings(open, batchSize, autoCommit);
    }

    /// <summary>docs/protocol.md §5.1: a share of the bridge's consumer of the topic, from its end or a given start.</summary>
    private static ConsumerSocketSettings ParseBroadcast(QueryReader reader, ConsumeOpen open, int batchSize)
    {
        reader.Absent("groupId", WithBroadcast);
        reader.Absent("resumeWindowMs", WithBroadcast);
        reader.Absent("autoCommit", WithBroadcast);
        reader.Absent("offsetResetStrategy", "with mode=broadcast: a broadcast socket starts at the end of each partition, or at startOffsets or startTimestamp");
        var startOffsets = reader.Optional("startOffsets");
        var startTimestamp = reader.Long("startTimestamp", 0, 0, long.MaxValue);
        if (startOffsets is not null && startTimestamp != 0)
        {
            throw new RequestValidationException("Give startOffsets or startTimestamp, not both.");
        }

        if (startOffsets is not null)
        {
            open.StartOffsets.AddRange(StartOffsets.Parse(startOffsets, "startOffsets"));
        }

        open.StartTimestampMs = startTimestamp;
        open.Broadcast = true;
        return new ConsumerSocketSettings(open, batchSize, AutoCommit: false, Broadcast: true);
    }

    /// <summary>
    /// An autoCommit socket commits as fast as it is written to, so its cap only
    /// has to exceed the pipeline's depth; a client that commits itself keeps the
    /// bridge's default cap.
    /// </summary>
    public static ConsumerSocketSettings WithCommitCap(this ConsumerSocketSettings settings, int autoCommitCap)
    {
        settings.Open.MaxUncommitted = settings.AutoCommit ? (uint)autoCommitCap : 0;
        return settings;
    }

    private static readonly IReadOnlyDictionary<string, bool> s_modes = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase)
    {
        ["group"] = false,
        ["broadcast"] = true,
    };

    private static readonly IReadOnlyDictionary<string, OffsetReset> s_offsetResets = new Dictionary<string, OffsetReset>(StringComparer.OrdinalIgnoreCase)
    {
        ["earliest"] = OffsetReset.Earliest,
        ["latest"] = OffsetReset.Latest,
        ["none"] = OffsetReset.None,
    };

    private static readonly IReadOnlyDictionary<string, IsolationLevel> s_isolationLevels = new Dictionary<string, IsolationLevel>(StringComparer.OrdinalIgnoreCase)
    {
        ["read_uncommitted"] = IsolationLevel.ReadUncommitted,
        ["read_committed"] = IsolationLevel.ReadCommitted,
    };
}
