using KafkaWsProxy.Bridge.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaWsProxy.Bridge.Health;

/// <summary>
/// The standard gRPC services beside the bridge's own: grpc.health.v1 (SERVING while Kafka
/// is reachable and the bridge is not draining; the edges send new streams only to SERVING
/// bridges) and, when enabled, server reflection.
/// </summary>
internal static class BridgeGrpcExtras
{
    public static IServiceCollection AddBridgeGrpcExtras(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GrpcServerOptions>().BindConfiguration(GrpcServerOptions.SectionName)
            .Validate(o => o.HealthCheckInterval > TimeSpan.Zero, "Grpc:HealthCheckInterval must be positive.")
            .ValidateOnStart();
        var options = configuration.GetSection(GrpcServerOptions.SectionName).Get<GrpcServerOptions>() ?? new GrpcServerOptions();

        services.AddHealthChecks()
            .AddCheck<DrainingCheck>("draining")
            .AddCheck<KafkaReachableCheck>("kafka");
        // The publisher feeds Watch streams; its defaults (first run after 5 s, then every 30 s)
        // would keep a bridge that lost Kafka in rotation far too long.
        services.Configure<HealthCheckPublisherOptions>(publisher =>
        {
            publisher.Delay = TimeSpan.Zero;
            publisher.Period = options.HealthCheckInterval;
            publisher.Timeout = options.HealthCheckInterval * 5;
        });
        services.AddGrpcHealthChecks();
        if (options.EnableReflection)
        {
            services.AddGrpcReflection();
        }

        return services;
    }

    public static WebApplication MapBridgeGrpcExtras(this WebApplication app)
    {
        app.MapGrpcHealthChecksService();
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GrpcServerOptions>>().Value.EnableReflection)
        {
            app.MapGrpcReflectionService();
        }

        return app;
    }
}
