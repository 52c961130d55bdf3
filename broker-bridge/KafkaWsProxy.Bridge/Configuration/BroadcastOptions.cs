namespace KafkaWsProxy.Bridge.Configuration;

/// <summary>Broadcast streams: one shared consumer per topic, no group, no commits. Section "Broadcast".</summary>
public sealed class BroadcastOptions
{
    public const string SectionName = "Broadcast";

    /// <summary>
    /// Records a broadcast stream may have waiting to be written to it. A stream that
    /// would need more (its client reads slower than the topic is written) is ended with
    /// fell_behind, so that it never holds back the streams sharing its consumer and the
    /// bridge's memory stays bounded: at most this many records per stream.
    /// </summary>
    public int BufferedRecordsPerStream { get; set; } = 5_000;

    /// <summary>Most records sent to a broadcast stream in one response message.</summary>
    public int MaxRecordsPerMessage { get; set; } = 500;

    /// <summary>How long one poll of a shared consumer waits for records (a record ends the wait at once).</summary>
    public TimeSpan PollTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often a shared consumer looks for partitions added to its topic; new ones are read from their start.</summary>
    public TimeSpan PartitionRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);
}
