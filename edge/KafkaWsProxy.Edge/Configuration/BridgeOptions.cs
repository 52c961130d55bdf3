namespace KafkaWsProxy.Edge.Configuration;

/// <summary>How the edge reaches the broker bridge. Section "Bridge".</summary>
public sealed class BridgeOptions
{
    public const string SectionName = "Bridge";

    /// <summary>
    /// Where the bridges are: one gRPC address (http:// for h2c, https:// for TLS); several,
    /// comma-separated; or dns:///host:port, every address the name resolves to. With more
    /// than one bridge, streams are spread round robin over the bridges that report SERVING.
    /// </summary>
    public string Address { get; set; } = "http://127.0.0.1:50051";

    /// <summary>With a dns:/// address: reach the bridges over TLS (https) instead of h2c.</summary>
    public bool DnsUseTls { get; set; }

    /// <summary>With a dns:/// address: how often the name is resolved again (new bridges join at the latest then).</summary>
    public TimeSpan DnsRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// With several bridges: the ping interval, and the ping timeout, on each bridge's health
    /// watch. A bridge that answers no ping within it gets no new streams.
    /// </summary>
    public TimeSpan HealthKeepAlive { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>With several bridges: the wait before watching again a bridge whose health watch failed.</summary>
    public TimeSpan HealthRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Deadline for opening a bridge stream, retries included; past it the socket is refused with 503.</summary>
    public TimeSpan OpenTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of a stream open that no bridge answered (unreachable, gone, draining); each may go to another bridge.</summary>
    public int OpenRetries { get; set; } = 2;

    /// <summary>Delay before the first retry; doubles for each next one.</summary>
    public TimeSpan OpenRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Deadline for a unary call (cluster info, readiness).</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>PEM file of the CA that issued the bridge's certificate (https); empty: the machine's trust store.</summary>
    public string CaPath { get; set; } = "";

    /// <summary>PEM certificate this edge presents to the bridge (mutual TLS); empty: none.</summary>
    public string ClientCertificatePath { get; set; } = "";

    /// <summary>PEM private key of <see cref="ClientCertificatePath"/>.</summary>
    public string ClientKeyPath { get; set; } = "";

    /// <summary>
    /// Largest gRPC message, in bytes, the edge sends to the bridge and accepts from it
    /// (the channel's MaxSendMessageSize and MaxReceiveMessageSize). Must be the same number
    /// as the bridge's Grpc:MaxMessageBytes, and larger than Sockets:MaxFrameBytes: records
    /// are batched up to it, and a record that cannot fit even alone (its frame took more
    /// than this as a record) is answered too_large. See docs/configuration.md.
    /// </summary>
    public int MaxMessageBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>TCP connect timeout to the bridge.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);
}
