namespace KafkaWsProxy.Bridge.Services;

/// <summary>gRPC trailers the bridge sets on a stream's final status.</summary>
internal static class BridgeTrailers
{
    /// <summary>"true" when the stream ended because the bridge is shutting down (clients should reconnect).</summary>
    public const string Draining = "kafkawsproxy-draining";
}
