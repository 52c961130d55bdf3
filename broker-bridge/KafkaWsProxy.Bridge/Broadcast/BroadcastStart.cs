using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Broadcast;

/// <summary>Where a broadcast stream starts (docs/protocol.md §5.1): the end of each partition, or what it gave.</summary>
internal static class BroadcastStart
{
    public static bool IsGiven(ConsumeOpen open) => open.StartOffsets.Count > 0 || open.StartTimestampMs != 0;

    /// <summary>Why the open message's start cannot be used, or null.</summary>
    public static string? Validate(ConsumeOpen open, int partitionCount)
    {
        if (open.StartOffsets.Count > 0 && open.StartTimestampMs != 0)
        {
            return "Give startOffsets or startTimestamp, not both.";
        }

        if (open.StartTimestampMs < 0)
        {
            return "start_timestamp_ms must not be negative.";
        }

        var seen = new HashSet<int>();
        foreach (var start in open.StartOffsets)
        {
            if (start.Partition < 0 || start.Partition >= partitionCount)
            {
                return $"Partition {start.Partition} of startOffsets does not exist: topic {open.Topic} has {partitionCount} partition(s).";
            }

            if (start.Offset < 0)
            {
                return $"The start offset of partition {start.Partition} must not be negative.";
            }

            if (!seen.Add(start.Partition))
            {
                return $"Partition {start.Partition} is given twice in startOffsets.";
            }
        }

        return null;
    }
}
