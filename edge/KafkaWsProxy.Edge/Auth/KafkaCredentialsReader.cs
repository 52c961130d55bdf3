using System.Text;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Auth;

/// <summary>
/// The Kafka credentials of one socket: two configured claims of its JWT, or
/// the X-Kafka-Auth header (base64 of username:password). Claims win.
/// </summary>
internal static class KafkaCredentialsReader
{
    public const string Header = "X-Kafka-Auth";

    /// <exception cref="RequestValidationException">The header is present but malformed (400).</exception>
    public static KafkaCredentials? Read(HttpContext context, JwtAuthOptions jwt)
    {
        if (FromClaims(context, jwt) is { } fromToken)
        {
            return fromToken;
        }

        if (!context.Request.Headers.TryGetValue(Header, out var values))
        {
            return null;
        }

        if (values.Count != 1 || !TryDecode(values[0], out var credentials))
        {
            // Never echo the value: it is a credential.
            throw new RequestValidationException($"The {Header} header must be base64 of username:password.");
        }

        return credentials;
    }

    private static KafkaCredentials? FromClaims(HttpContext context, JwtAuthOptions jwt)
    {
        if (string.IsNullOrEmpty(jwt.KafkaUsernameClaim) || string.IsNullOrEmpty(jwt.KafkaPasswordClaim))
        {
            return null;
        }

        var user = context.User.FindFirst(jwt.KafkaUsernameClaim)?.Value;
        var password = context.User.FindFirst(jwt.KafkaPasswordClaim)?.Value;
        return string.IsNullOrEmpty(user) || password is null ? null : new KafkaCredentials { Username = user, Password = password };
    }

    private static bool TryDecode(string? value, out KafkaCredentials credentials)
    {
        credentials = new KafkaCredentials();
        var buffer = new byte[((value?.Length ?? 0) * 3 / 4) + 3];
        if (string.IsNullOrWhiteSpace(value) || !Convert.TryFromBase64String(value.Trim(), buffer, out var written))
        {
            return false;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(buffer, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        credentials = new KafkaCredentials { Username = text[..colon], Password = text[(colon + 1)..] };
        return true;
    }
}
