namespace KafkaWsProxy.Bridge.Configuration;

/// <summary>Limits of one Produce stream. Section "Produce".</summary>
public sealed class ProduceOptions
{
    public const string SectionName = "Produce";

    /// <summary>
    /// Records of one stream handed to Kafka but not yet answered. When reached,
    /// the bridge stops reading the stream, which back-pressures the client
    /// through HTTP/2 flow control.
    /// </summary>
    public int MaxInFlightPerStream { get; set; } = 10_000;

    /// <summary>Most results sent in one response message.</summary>
    public int MaxResultsPerMessage { get; set; } = 1_000;

    /// <summary>
    /// Records per second per clientId (the user's messages-per-second), applied
    /// by back-pressure, never by dropping; 0 = no limit.
    /// </summary>
    public int MessagesPerSecond { get; set; }

    /// <summary>Per-clientId overrides of <see cref="MessagesPerSecond"/>.</summary>
    public Dictionary<string, int> MessagesPerSecondPerClient { get; } = new(StringComparer.Ordinal);

    /// <summary>How long a transactional record may take from begin to commit.</summary>
    public TimeSpan TransactionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public int MessagesPerSecondFor(string clientId) =>
        MessagesPerSecondPerClient.TryGetValue(clientId, out var rate) ? rate : MessagesPerSecond;
}
