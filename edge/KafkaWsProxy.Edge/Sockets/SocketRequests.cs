namespace KafkaWsProxy.Edge.Sockets;

/// <summary>Checks shared by every socket endpoint before anything else is looked at.</summary>
internal static class SocketRequests
{
    /// <summary>The refusal for a request that is not a WebSocket upgrade, or null.</summary>
    public static RequestValidationException? CheckUpgrade(HttpContext context)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            context.Response.Headers.Allow = "GET";
            return new RequestValidationException("Only GET is allowed on a socket path.", StatusCodes.Status405MethodNotAllowed);
        }

        var maxQuery = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<Configuration.SocketOptions>>().Value.MaxQueryStringLength;
        if (context.Request.QueryString.Value?.Length > maxQuery)
        {
            return new RequestValidationException($"The query string is longer than {maxQuery} characters.", StatusCodes.Status414UriTooLong);
        }

        return context.WebSockets.IsWebSocketRequest ? null : new RequestValidationException("Expected WebSocket upgrade request");
    }

    /// <summary>The clientId to name in logs of a refused request: bounded, since it was not validated.</summary>
    public static string ClientIdForLog(HttpContext context)
    {
        var clientId = context.Request.Query["clientId"].ToString();
        return clientId.Length <= 64 ? clientId : clientId[..64] + "...";
    }
}
