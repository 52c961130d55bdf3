using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Grpc.Core;

namespace KafkaWsProxy.Edge.Telemetry;

/// <summary>
/// The edge's own metrics (Prometheus names: dots become underscores, counters end in
/// _total, byte counts in _bytes, durations in _seconds). Labels are few and bounded:
/// never a clientId or a topic.
/// </summary>
internal sealed class EdgeMetrics
{
    public const string EndpointLabel = "endpoint";

    // Acks come in microseconds to seconds.
    private static readonly double[] s_ackBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly UpDownCounter<long> _openSockets;
    private readonly Counter<long> _socketsOpened;
    private readonly Counter<long> _socketsRefused;
    private readonly Counter<long> _socketsClosed;
    private readonly ConcurrentDictionary<string, FrameTotals> _frames = new(StringComparer.Ordinal);
    private readonly Counter<long> _errorFrames;
    private readonly Histogram<double> _ackDuration;
    private readonly Counter<long> _bridgeStreamOpens;
    private readonly Counter<long> _bridgeOpenRetries;

    public EdgeMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(EdgeTelemetry.Name);
        _openSockets = meter.CreateUpDownCounter<long>("kafkawsproxy.edge.sockets.open", "{socket}", "Open sockets, by endpoint.");
        _socketsOpened = meter.CreateCounter<long>("kafkawsproxy.edge.sockets.opened", "{socket}", "Sockets accepted (101), by endpoint.");
        _socketsRefused = meter.CreateCounter<long>("kafkawsproxy.edge.sockets.refused", "{socket}",
            "Socket requests refused before the upgrade, by endpoint and HTTP status.");
        _socketsClosed = meter.CreateCounter<long>("kafkawsproxy.edge.sockets.closed", "{socket}",
            "Sockets ended, by endpoint and close code sent (\"abort\": the connection was lost).");
        meter.CreateObservableCounter("kafkawsproxy.edge.frames.received", () => Observe(static t => t.FramesReceived), "{frame}",
            "WebSocket messages received, by endpoint.");
        meter.CreateObservableCounter("kafkawsproxy.edge.frames.sent", () => Observe(static t => t.FramesSent), "{frame}",
            "WebSocket messages sent, by endpoint.");
        meter.CreateObservableCounter("kafkawsproxy.edge.received", () => Observe(static t => t.BytesReceived), "By",
            "WebSocket payload bytes received, by endpoint.");
        meter.CreateObservableCounter("kafkawsproxy.edge.sent", () => Observe(static t => t.BytesSent), "By",
            "WebSocket payload bytes sent, by endpoint.");
        _errorFrames = meter.CreateCounter<long>("kafkawsproxy.edge.error_frames", "{frame}", "Error frames sent, by endpoint and error code.");
        _ackDuration = meter.CreateHistogram("kafkawsproxy.edge.ack.duration", "s",
            "From a /socket/in frame received to its ack (or error frame) written.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_ackBuckets });
        _bridgeStreamOpens = meter.CreateCounter<long>("kafkawsproxy.edge.bridge.stream_opens", "{stream}",
            "Bridge stream opens, by endpoint and outcome (\"opened\" or the gRPC status).");
        _bridgeOpenRetries = meter.CreateCounter<long>("kafkawsproxy.edge.bridge.open_retries", "{retry}",
            "Retries of a bridge stream open while the bridge was unreachable.");
    }

    public static KeyValuePair<string, object?> Endpoint(string path) => new(EndpointLabel, path);

    public void SocketRefused(string path, int statusCode) =>
        _socketsRefused.Add(1, Endpoint(path), new("http_status", statusCode));

    /// <summary>Counts the socket open until the returned value is disposed.</summary>
    public OpenSocket SocketOpened(string path)
    {
        _socketsOpened.Add(1, Endpoint(path));
        _openSockets.Add(1, Endpoint(path));
        return new OpenSocket(this, path);
    }

    public void SocketClosed(string path, System.Net.WebSockets.WebSocketCloseStatus? closeCode) =>
        _socketsClosed.Add(1, Endpoint(path), new("close_code", closeCode is { } code ? ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture) : "abort"));

    /// <summary>The message and byte totals of an endpoint's sockets (endpoints are a fixed few).</summary>
    public FrameTotals FramesOf(string path) => _frames.GetOrAdd(path, static _ => new FrameTotals());

    private IEnumerable<Measurement<long>> Observe(Func<FrameTotals, long> value) =>
        _frames.Select(endpoint => new Measurement<long>(value(endpoint.Value), Endpoint(endpoint.Key)));

    public void ErrorFrameSent(in KeyValuePair<string, object?> endpoint, string code) => _errorFrames.Add(1, endpoint, new("code", code));

    public void AckWritten(TimeSpan sinceReceived) => _ackDuration.Record(sinceReceived.TotalSeconds);

    public void BridgeStreamOpen(string path, StatusCode? failure) =>
        _bridgeStreamOpens.Add(1, Endpoint(path), new("outcome", failure?.ToString() ?? "opened"));

    public void BridgeOpenRetried() => _bridgeOpenRetries.Add(1);

    internal readonly struct OpenSocket(EdgeMetrics metrics, string path) : IDisposable
    {
        public void Dispose() => metrics._openSockets.Add(-1, Endpoint(path));
    }
}
