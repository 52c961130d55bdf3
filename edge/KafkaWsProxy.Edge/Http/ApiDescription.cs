using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace KafkaWsProxy.Edge.Http;

/// <summary>The title and description of the edge's OpenAPI document (GET /openapi/v1.json).</summary>
internal static class ApiDescription
{
    public static Task Describe(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "KafkaWsProxy edge: HTTP endpoints";
        document.Info.Description =
            "The edge's plain HTTP endpoints. The WebSockets (/socket/in, /socket/out), their frames, close codes and handshake " +
            "refusals are described by the AsyncAPI document at /asyncapi.json. Every refusal and error is JSON {\"message\":...}: " +
            "an unknown path answers 404, a known path asked with another method 405 with Allow. With authentication on, " +
            "/kafka/cluster/info and (unless Auth:ProtectHealthEndpoints=false) the health endpoints answer 401 without credentials; " +
            "the console (/), this document and /asyncapi.json are public.";
        return Task.CompletedTask;
    }
}
