using System.Globalization;

namespace KafkaWsProxy.Edge.Http;

/// <summary>
/// Every 429 and 503 answer of the edge carries Retry-After (docs/protocol.md §2):
/// set here, as the response starts, so that no refusal can miss it. An answer
/// that sets its own Retry-After keeps it.
/// </summary>
internal static class RetryAfterHeader
{
    public static IApplicationBuilder UseRetryAfter(this IApplicationBuilder app, TimeSpan retryAfter)
    {
        var seconds = ToSeconds(retryAfter);
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var (response, value) = ((HttpResponse, string))state;
                if (response.StatusCode is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable
                    && !response.Headers.ContainsKey("Retry-After"))
                {
                    response.Headers.RetryAfter = value;
                }

                return Task.CompletedTask;
            }, (context.Response, seconds));
            return next(context);
        });
    }

    /// <summary>Whole seconds, at least 1 (the header has no fractions, and 0 invites a tight retry loop).</summary>
    public static string ToSeconds(TimeSpan retryAfter) =>
        Math.Max(1L, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
}
