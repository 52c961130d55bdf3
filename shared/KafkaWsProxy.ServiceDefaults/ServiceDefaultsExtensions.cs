using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace KafkaWsProxy.ServiceDefaults;

/// <summary>
/// What the edge and the bridge set up the same way, each calling it once:
/// console logs that one setting turns into JSON, OpenTelemetry metrics (Prometheus
/// scrape endpoint) and traces (exported over OTLP only when OTEL_EXPORTER_OTLP_ENDPOINT is set).
/// </summary>
public static class ServiceDefaultsExtensions
{
    /// <param name="serviceName">The service's name in traces and metrics (service.name, unless OTEL_SERVICE_NAME says otherwise).</param>
    /// <param name="telemetryName">The service's own Meter and ActivitySource.</param>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName, string telemetryName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.AddServiceConsole(builder.Configuration);

        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.SectionName)
            .Validate(o => o.MetricsPath.Length == 0 || o.MetricsPath.StartsWith('/'), "Telemetry:MetricsPath must be empty or start with '/'.")
            .ValidateOnStart();
        var telemetry = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new TelemetryOptions();

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(telemetryName)
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddProcessInstrumentation();
                if (telemetry.MetricsPath.Length > 0)
                {
                    // Every scrape sees the values of that moment (no cached answer).
                    metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                }
            });
        if (telemetry.Tracing)
        {
            otel.WithTracing(tracing => tracing
                .AddSource(telemetryName)
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context => !IsScrapeOrProbe(context.Request.Path, telemetry))
                .AddGrpcClientInstrumentation());
        }

        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        if (telemetry.MetricsPath.Length > 0 && telemetry.MetricsUrls.Length > 0)
        {
            builder.Services.AddHostedService<MetricsListener>();
        }

        return builder;
    }

    /// <summary>
    /// Maps the Prometheus scrape endpoint on the service's own listener, unless it has
    /// a listener of its own (Telemetry:MetricsUrls) or is off. Returns it (to protect it), or null.
    /// </summary>
    public static IEndpointConventionBuilder? MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var telemetry = app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        if (telemetry.MetricsPath.Length == 0 || telemetry.MetricsUrls.Length > 0)
        {
            return null;
        }

        return app.MapPrometheusScrapingEndpoint(telemetry.MetricsPath);
    }

    private static bool IsScrapeOrProbe(Microsoft.AspNetCore.Http.PathString path, TelemetryOptions telemetry) =>
        (telemetry.MetricsPath.Length > 0 && path.Equals(telemetry.MetricsPath, StringComparison.Ordinal))
        || path.StartsWithSegments("/health", StringComparison.Ordinal)
        || path.Equals("/healthcheck", StringComparison.Ordinal);
}
