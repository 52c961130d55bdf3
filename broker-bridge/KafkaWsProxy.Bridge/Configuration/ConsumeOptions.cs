namespace KafkaWsProxy.Bridge.Configuration;

/// <summary>Limits of one Consume stream. Section "Consume".</summary>
public sealed class ConsumeOptions
{
    public const string SectionName = "Consume";

    /// <summary>
    /// Records delivered on a stream but not yet committed by its client. At the
    /// limit the bridge pauses the stream's partitions until a commit frees room,
    /// so nothing uncommitted is ever dropped.
    /// </summary>
    public int MaxUncommittedPerStream { get; set; } = 1_000;

    /// <summary>The most a stream may ask for in its open message (max_uncommitted).</summary>
    public int MaxUncommittedLimit { get; set; } = 100_000;

    /// <summary>The cap a stream gets: what it asked for within the limit, else the default.</summary>
    public int MaxUncommittedFor(uint requested) =>
        requested == 0 ? MaxUncommittedPerStream : (int)Math.Min(requested, (uint)MaxUncommittedLimit);

    /// <summary>
    /// Records read from Kafka and waiting to be written to the stream. When
    /// full (the client reads slowly), the bridge stops taking records from its
    /// consumer until the writer makes room.
    /// </summary>
    public int BufferedRecordsPerStream { get; set; } = 500;

    /// <summary>
    /// How long a stream may have no room (full buffer, or too many uncommitted)
    /// before its partitions are paused. Until then the consumer is simply not
    /// asked for records, which keeps librdkafka's prefetch; once paused, the
    /// consumer is polled only to serve rebalances and stay in its group.
    /// </summary>
    public TimeSpan PauseAfterStall { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most records sent in one response message.</summary>
    public int MaxRecordsPerMessage { get; set; } = 500;

    /// <summary>
    /// Poller threads that serve every Consume stream's consumer; 0: one per core, at
    /// most four. Each sweeps its streams with non-blocking polls, so a stream costs
    /// no thread of the bridge's own (librdkafka keeps its own threads per consumer).
    /// </summary>
    public int Pollers { get; set; }

    /// <summary>The poller count in effect: <see cref="Pollers"/>, or one per core up to four.</summary>
    public int PollerCount => Pollers > 0 ? Pollers : Math.Min(Environment.ProcessorCount, 4);

    /// <summary>
    /// The longest a poller sleeps after sweeps that found no record. It sleeps 1 ms
    /// after the first empty sweep, doubling up to this; any record resets it, and a
    /// commit, a new stream or a reader making room wakes it at once. So it is the
    /// most delay a first record after a quiet spell may see, while idle sockets cost
    /// one cheap poll each per this interval.
    /// </summary>
    public TimeSpan PollerIdleBackoff { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// The shortest resume window (resume_window_ms, the socket's resumeWindowMs) a stream may ask
    /// for (docs/protocol.md §5.2). Kafka's own floor is the broker's group.min.session.timeout.ms (6 s by default).
    /// </summary>
    public TimeSpan MinResumeWindow { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>
    /// The longest resume window a stream may ask for. While a dropped socket's window runs, its
    /// partitions wait for it: nobody else in the group reads them.
    /// </summary>
    public TimeSpan MaxResumeWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How often each stream's consumer reports librdkafka statistics, from which the
    /// consumer lag metric is read (statistics.interval.ms); zero: no statistics, no lag metric.
    /// </summary>
    public TimeSpan StatisticsInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a stream's end waits for its consumer's Close (last commits, group left) before
    /// the call ends anyway. A Close that takes longer goes on in the background, and the consumer
    /// is released when it returns: librdkafka's Close can hang when an assignment arrives during it.
    /// </summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
