namespace KafkaWsProxy.ServiceDefaults;

/// <summary>Metrics and traces of a service. Section "Telemetry".</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    /// <summary>Path of the Prometheus scrape endpoint; empty: no scrape endpoint.</summary>
    public string MetricsPath { get; set; } = "/metrics";

    /// <summary>
    /// URLs (separated by ';') of a listener of its own, HTTP/1.1, that serves only
    /// <see cref="MetricsPath"/>; empty: the path is served by the service's own listener.
    /// </summary>
    public string MetricsUrls { get; set; } = "";

    /// <summary>
    /// Record traces and pass trace context on (gRPC metadata, Kafka record headers).
    /// Exported only when OTEL_EXPORTER_OTLP_ENDPOINT is set; OTEL_TRACES_SAMPLER chooses what is sampled.
    /// </summary>
    public bool Tracing { get; set; } = true;
}
