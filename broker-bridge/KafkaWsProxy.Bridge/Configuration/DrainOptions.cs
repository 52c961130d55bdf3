namespace KafkaWsProxy.Bridge.Configuration;

/// <summary>How the bridge ends its streams when it shuts down. Section "Drain".</summary>
public sealed class DrainOptions
{
    public const string SectionName = "Drain";

    /// <summary>
    /// After the drain notice (docs/protocol.md §6), how long a stream stays open
    /// waiting for its client to end the call. The client ends it as soon as it has
    /// read the notice, so this only bounds a client that stopped reading.
    /// </summary>
    public TimeSpan NoticeTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
