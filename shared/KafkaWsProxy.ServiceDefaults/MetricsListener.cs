using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace KafkaWsProxy.ServiceDefaults;

/// <summary>
/// A listener of its own, HTTP/1.1 only, serving the Prometheus scrape endpoint at
/// Telemetry:MetricsUrls. The bridge needs it: its gRPC listener speaks HTTP/2 only
/// (cleartext HTTP/2 cannot share a port with HTTP/1.1), and Prometheus scrapes over HTTP/1.1.
/// </summary>
internal sealed partial class MetricsListener(
    MeterProvider meterProvider,
    IOptions<TelemetryOptions> options,
    ILogger<MetricsListener> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var telemetry = options.Value;
        // Empty: none of the service's configuration (its Kestrel section, its logging) applies here;
        // it would say "Now listening on", a line that belongs to the service's own listener.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore()
            .ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http1));
        builder.Services.AddRouting();
        builder.WebHost.UseUrls(telemetry.MetricsUrls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        _app = builder.Build();
        _app.MapPrometheusScrapingEndpoint(telemetry.MetricsPath, meterProvider, configureBranchedPipeline: null, optionsName: null);
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);

        var addresses = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            var url = address.TrimEnd('/') + telemetry.MetricsPath;
            MetricsListening(logger, url);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 900, Level = LogLevel.Information, Message = "Metrics (Prometheus) at {MetricsUrl}")]
    private static partial void MetricsListening(ILogger logger, string metricsUrl);
}
