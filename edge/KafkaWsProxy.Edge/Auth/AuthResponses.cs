
using KafkaWsProxy.Edge.Responses;

namespace KafkaWsProxy.Edge.Auth;

/// <summary>The JSON answers of authentication: 401 with a challenge, or 503 when the identity provider is down.</summary>
internal static class AuthResponses
{
    public static Task WriteUnauthorizedAsync(HttpContext context, string challenge)
    {
        context.Response.Headers.WWWAuthenticate = challenge;
        return JsonResponses.WriteErrorAsync(context, StatusCodes.Status401Unauthorized, "Authentication required: missing or invalid credentials.");
    }

    public static Task WriteIdentityProviderUnavailableAsync(HttpContext context) =>
        JsonResponses.WriteErrorAsync(context, StatusCodes.Status503ServiceUnavailable,
            "The identity provider cannot be reached to validate the token; try again later.");
}
