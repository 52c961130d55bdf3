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
}
