using KafkaWsProxy.Edge.Consume;
using KafkaWsProxy.Edge.Produce;
using KafkaWsProxy.Edge.Responses;
using KafkaWsProxy.Edge.WebConsole;
using KafkaWsProxy.ServiceDefaults;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaWsProxy.Edge.Http;

/// <summary>Every route of the edge (docs/protocol.md §1).</summary>
internal static class HttpEndpoints
{
    public const string ReadinessTag = "ready";
    public const string LivenessPath = "/healthcheck";
    public const string ReadinessPath = "/health/ready";

    public static void MapEdgeEndpoints(this WebApplication app)
    {
        var auth = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Auth.AuthOptions>>().Value;
        var protectedEndpoints = new List<IEndpointConventionBuilder>
        {
            app.Map(ProducerSocketEndpoint.RoutePath, (HttpContext context, ProducerSocketEndpoint endpoint) => endpoint.HandleAsync(context)),
            app.Map(ConsumerSocketEndpoint.RoutePath, (HttpContext context, ConsumerSocketEndpoint endpoint) => endpoint.HandleAsync(context)),
            app.MapGet(ClusterInfoEndpoint.Path, ClusterInfoEndpoint.HandleAsync)
                .WithTags("Kafka")
                .WithSummary("The Kafka brokers, as the bridge sees them.")
                .Produces<BrokerInfo[]>(StatusCodes.Status200OK)
                .Produces<ErrorBody>(StatusCodes.Status503ServiceUnavailable)
                .Produces<ErrorBody>(StatusCodes.Status502BadGateway),
        };
        var healthEndpoints = new List<IEndpointConventionBuilder>
        {
            app.MapMethods(LivenessPath, [HttpMethods.Get, HttpMethods.Head],
                    () => Results.Json(new HealthBody("I'm healthy"), EdgeJson.Context.HealthBody))
                .WithTags("Health")
                .WithSummary("Liveness: the edge itself answers.")
                .Produces<HealthBody>(StatusCodes.Status200OK),
            app.MapMethods(ReadinessPath, [HttpMethods.Get, HttpMethods.Head], ReadinessAsync)
                .WithTags("Health")
                .WithSummary("Readiness: the edge reaches a bridge and the bridge reaches Kafka.")
                .Produces<HealthBody>(StatusCodes.Status200OK)
                .Produces<HealthBody>(StatusCodes.Status503ServiceUnavailable),
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
            protectedEndpoints.ForEach(endpoint => endpoint.RequireAuthorization(Auth.EdgeAuthentication.Policy)
                .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(ErrorBody), ["application/json"])));
        }

        app.MapConsoleEndpoints();
        // The OpenAPI document of these HTTP endpoints (public, like the console); the sockets are in /asyncapi.json.
        app.MapOpenApi();

        // "{**path}" rather than the default, which leaves paths that look like file names unanswered.
        app.MapFallback("{**path}", AnswerUnmatched);
    }

    /// <summary>405 with Allow for a known path asked with another method; 404 for anything else.</summary>
    private static IResult AnswerUnmatched(HttpContext context, RouteMethods routes)
    {
        if (routes.AllowFor(context.Request.Path) is { } allow)
        {
            context.Response.Headers.Allow = allow;
            return JsonResponses.Error(StatusCodes.Status405MethodNotAllowed, $"This path answers only {allow}.");
        }

        return JsonResponses.Error(StatusCodes.Status404NotFound, "Not found.");
    }

    /// <summary>200 when every readiness check is healthy (or degraded), 503 otherwise; the body says why.</summary>
    private static async Task<IResult> ReadinessAsync(HealthCheckService health, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(check => check.Tags.Contains(ReadinessTag), cancellationToken).ConfigureAwait(false);
        var message = report.Status == HealthStatus.Healthy
            ? "Ready."
            : string.Join(" ", report.Entries.Values.Select(e => e.Description ?? e.Status.ToString()));
        var status = report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        return Results.Json(new HealthBody(message), EdgeJson.Context.HealthBody, statusCode: status);
    }
}
