using System.Text.RegularExpressions;

namespace KafkaWsProxy.Tests.Infrastructure;

/// <summary>Where the services of a test serve their Prometheus metrics.</summary>
internal static partial class MetricsEndpoints
{
    public static Uri OfEdge(ServiceProcess edge) => new(edge.Address, "/metrics");

    /// <summary>The bridge's metrics listener (Telemetry:MetricsUrls, a free port in tests), as its log says.</summary>
    public static async Task<Uri> OfBridgeAsync(ServiceProcess bridge)
    {
        await bridge.WaitForLogAsync(line => MetricsLine().IsMatch(line), "the metrics listener's address");
        return new Uri(bridge.LogLines.Select(line => MetricsLine().Match(line)).First(m => m.Success).Groups[1].Value);
    }

    [GeneratedRegex(@"Metrics \(Prometheus\) at (http[^\s""]+)")]
    private static partial Regex MetricsLine();
}
