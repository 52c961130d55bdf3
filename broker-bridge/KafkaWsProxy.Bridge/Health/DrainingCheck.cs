using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaWsProxy.Bridge.Health;

/// <summary>
/// Unhealthy from the moment the bridge starts to shut down (docs/protocol.md §6), so that
/// a Check call says NOT_SERVING while the bridge drains. Watch streams get NOT_SERVING
/// from the health service itself when the application stops.
/// </summary>
internal sealed class DrainingCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("The bridge is shutting down.")
            : HealthCheckResult.Healthy());
}
