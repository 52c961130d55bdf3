using KafkaWsProxy.Edge.Responses;
using Microsoft.Net.Http.Headers;

namespace KafkaWsProxy.Edge.WebConsole;

/// <summary>
/// The browser console (GET /), what it needs, and the socket API's AsyncAPI
/// document (GET /asyncapi.json, kept in docs/). Always public, also when
/// authentication is on: the page holds no data, and every socket it opens
/// still needs credentials.
/// </summary>
internal static class ConsoleEndpoints
{
    public const string PagePath = "/";
    public const string RefusalsPath = "/console/refusals/{id}";
    public const string AsyncApiPath = "/asyncapi.json";

    private static readonly string[] s_getOrHead = [HttpMethods.Get, HttpMethods.Head];

    public static void MapConsoleEndpoints(this WebApplication app)
    {
        MapAsset(app, PagePath, "console/index.html");
        MapAsset(app, "/console/app.js", "console/app.js");
        MapAsset(app, "/console/app.css", "console/app.css");
        MapAsset(app, AsyncApiPath, "asyncapi.json");
        app.MapGet(RefusalsPath, (string id, RefusalNotes notes) =>
                RefusalNotes.IsValidId(id) && notes.Take(id) is { } refusal
                    ? Results.Json(new RefusalBody(refusal.StatusCode, refusal.Message), EdgeJson.Context.RefusalBody)
                    : JsonResponses.Error(StatusCodes.Status404NotFound, "No refusal is kept under that id (none happened, it was read, or it expired)."))
            .WithTags("Console")
            .WithSummary("The refusal of a WebSocket handshake that named this refusalId, once, for 60 s.")
            .Produces<RefusalBody>(StatusCodes.Status200OK)
            .Produces<ErrorBody>(StatusCodes.Status404NotFound);
    }

    /// <summary>Maps a path to an in-memory file, revalidated by ETag on every load.</summary>
    public static void MapAsset(WebApplication app, string path, string logicalName)
    {
        var asset = ConsoleAssets.Load(logicalName);
        app.MapMethods(path, s_getOrHead, (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers.ContentSecurityPolicy =
                "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'";
            return Results.Bytes(asset.Content, asset.ContentType, entityTag: asset.ETag);
        }).ExcludeFromDescription();
    }
}
