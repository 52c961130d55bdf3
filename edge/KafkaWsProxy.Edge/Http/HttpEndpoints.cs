using KafkaWsProxy.Edge.Sockets;
using KafkaWsProxy.ServiceDefaults;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaWsProxy.Edge.Http;

/// <summary>Every route of the edge (docs/protocol.md §1).</summary>
internal static class HttpEndpoints
{
    public const string ReadinessTag = "ready";

    public static void MapEdgeEndpoints(this WebApplication app)
    {
        var auth = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Auth.AuthOptions>>().Value;
        var protectedEndpoints = new List<IEndpointConventionBuilder>
        {
            app.Map(ProducerSocketEndpoint.RoutePath, (HttpContext context, ProducerSocketEndpoint endpoint) => endpoint.HandleAsync(context)),
            app.Map(ConsumerSocketEndpoint.RoutePath, (HttpContext context, ConsumerSocketEndpoint endpoint) => endpoint.HandleAsync(context)),
            app.MapGet(ClusterInfoEndpoint.Path, ClusterInfoEndpoint.HandleAsync),
        };
        var healthEndpoints = new List<IEndpointConventionBuilder>
        {
            app.MapMethods("/healthcheck", [HttpMethods.Get, HttpMethods.Head],
                () => Results.Json(new HealthBody("I'm healthy"), EdgeJson.Context.HealthBody)),
            app.MapHealthChecks("/health/ready", new HealthCheckOptions
            {
                Predicate = check => check.Tags.Contains(ReadinessTag),
                ResponseWriter = WriteReadinessAsync,
            }),
        };
        if (auth.ProtectHealthEndpoints)
        {
            protectedEndpoints.AddRange(healthEndpoints);
        }

        if (app.MapDefaultEndpoints() is { } metrics && auth.ProtectMetricsEndpoint)
        {
            protectedEndpoints.Add(metrics);
        }

        if (auth.Enabled)
        {
            protectedEndpoints.ForEach(endpoint => endpoint.RequireAuthorization(Auth.EdgeAuthentication.Policy));
        }

        app.MapFallback(() => JsonResponses.Error(StatusCodes.Status404NotFound, "Not found."));
    }

    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        var message = report.Status == HealthStatus.Healthy
            ? "Ready."
            : string.Join(" ", report.Entries.Values.Select(e => e.Description ?? e.Status.ToString()));
        return context.Response.WriteAsJsonAsync(new ErrorBody(message), EdgeJson.Context.ErrorBody);
    }
}
