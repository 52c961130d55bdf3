using KafkaWsProxy.Edge.Sockets;
using KafkaWsProxy.Edge.WebConsole;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace KafkaWsProxy.Edge.Http;

/// <summary>Every route of the edge (spec §1).</summary>
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
            app.MapGet(ClusterInfoEndpoint.Path, ClusterInfoEndpoint.HandleAsync),
        };
        var healthEndpoints = new List<IEndpointConventionBuilder>
        {
            app.MapMethods(LivenessPath, [HttpMethods.Get, HttpMethods.Head],
                () => Results.Json(new HealthBody("I'm healthy"), EdgeJson.Context.HealthBody)),
            app.MapHealthChecks(ReadinessPath, new HealthCheckOptions
            {
                Predicate = check => check.Tags.Contains(ReadinessTag),
                ResponseWriter = WriteReadinessAsync,
            }).WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head])),
        };
        if (auth.ProtectHealthEndpoints)
        {
            protectedEndpoints.AddRange(healthEndpoints);
        }

        if (auth.Enabled)
        {
            protectedEndpoints.ForEach(endpoint => endpoint.RequireAuthorization(Auth.EdgeAuthentication.Policy));
        }

        app.MapConsoleEndpoints();

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

    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        var message = report.Status == HealthStatus.Healthy
            ? "Ready."
            : string.Join(" ", report.Entries.Values.Select(e => e.Description ?? e.Status.ToString()));
        return context.Response.WriteAsJsonAsync(new HealthBody(message), EdgeJson.Context.HealthBody);
    }
}
