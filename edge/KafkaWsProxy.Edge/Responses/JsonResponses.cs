namespace KafkaWsProxy.Edge.Responses;

/// <summary>Writes the edge's JSON HTTP answers.</summary>
internal static class JsonResponses
{
    /// <summary>Writes {"message":...} with the given status. Every refusal goes through here.</summary>
    public static Task WriteErrorAsync(HttpContext context, int statusCode, string message)
    {
        context.Response.StatusCode = statusCode;
        context.RequestServices.GetService<RefusalNotes>()?.RecordIfAsked(context, statusCode, message);
        return context.Response.WriteAsJsonAsync(new ErrorBody(message), EdgeJson.Context.ErrorBody, cancellationToken: context.RequestAborted);
    }

    public static IResult Error(int statusCode, string message) =>
        Results.Json(new ErrorBody(message), EdgeJson.Context.ErrorBody, statusCode: statusCode);
}
