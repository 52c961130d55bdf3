namespace KafkaWsProxy.Edge.Configuration;

/// <summary>Limits and timings of every WebSocket. Section "Sockets".</summary>
public sealed class SocketOptions
{
    public const string SectionName = "Sockets";

    /// <summary>Open sockets this edge accepts at once; more are refused with 503. 0 = no limit.</summary>
    public int MaxOpenSockets { get; set; } = 10_000;

    /// <summary>Longest query string accepted on a socket path; longer is refused with 414.</summary>
    public int MaxQueryStringLength { get; set; } = 4096;

    /// <summary>Largest inbound frame (message) in bytes; a larger one closes the socket with 1009.</summary>
    public int MaxFrameBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Records of one producer socket sent on but not yet acknowledged. When
    /// reached, the edge stops reading the socket until acks come back.
    /// </summary>
    public int MaxInFlightPerSocket { get; set; } = 1_000;

    /// <summary>Most records forwarded to the bridge in one gRPC message.</summary>
    public int MaxRecordsPerBridgeMessage { get; set; } = 500;

    /// <summary>
    /// Bridge messages (each up to the bridge's Consume:MaxRecordsPerMessage
    /// records) and error frames waiting for a slow /socket/out client. When
    /// full, the edge stops reading from the bridge, which pauses the Kafka consumer.
    /// </summary>
    public int ConsumerSendQueue { get; set; } = 4;

    /// <summary>
    /// Broadcast /socket/out sockets (docs/protocol.md §5.1): records waiting for a slow client.
    /// The edge never stops reading a broadcast stream from the bridge (that would hold back the
    /// sockets sharing its consumer); a socket whose client lets more than this many records
    /// wait is closed with 4000 and the offsets to resume from. 10,000 is ten seconds of a
    /// 1,000 records/s topic: with 1,000 (one second) 463 of 1,000 benchmark sockets were
    /// closed during the edge's own warm-up, with 10,000 none were.
    /// </summary>
    public int BroadcastBufferedRecords { get; set; } = 10_000;

    /// <summary>
    /// Broadcast /socket/out sockets that start at the live end (docs/protocol.md §5.1): true, the
    /// sockets of this edge with the same topic, formats, isolation level, credentials and
    /// batchSize share one bridge stream, and each frame is rendered once for all of them;
    /// false, each socket has a bridge stream of its own (the edge's cost grows with sockets × records).
    /// </summary>
    public bool ShareBroadcastStreams { get; set; } = true;

    /// <summary>
    /// autoCommit sockets: how often the edge sends its commits of the records
    /// written to the socket (one message per interval, not one per record).
    /// </summary>
    public TimeSpan AutoCommitInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// autoCommit sockets: the uncommitted cap the edge asks the bridge for. It
    /// must exceed the records in flight between Kafka and the socket, or the
    /// cap throttles delivery; the bridge bounds it by Consume:MaxUncommittedLimit.
    /// </summary>
    public int AutoCommitMaxUncommitted { get; set; } = 20_000;

    /// <summary>How long a partial batch (batchSize) waits for more records before it is sent.</summary>
    public TimeSpan BatchLinger { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Most bytes of frames that are ready at once (records, acks) written to the
    /// client in one network write; 0 writes every frame on its own. Frames are
    /// never held while the socket's sender waits for more.
    /// </summary>
    public int OutputBatchBytes { get; set; } = 64 * 1024;

    /// <summary>WebSocket ping interval; 0 disables pings.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Once a socket is ending (the client closed, the bridge drains or failed, the
    /// edge stops), how long the edge waits for the acks still in flight before it
    /// gives up on them (close 1011, or 1001 when the edge or bridge is stopping).
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the edge waits for the client's answer to its close frame.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Retry-After of every 429 and 503 answer (socket limit, bridge unreachable or
    /// refusing, edge draining, identity provider down), in whole seconds, at least 1.
    /// </summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);
}
