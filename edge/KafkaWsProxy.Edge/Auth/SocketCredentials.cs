using System.Globalization;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Sockets;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Edge.Auth;

/// <summary>A socket's Kafka credentials (claims or X-Kafka-Auth) and the expiry of its JWT.</summary>
internal sealed class SocketCredentials(IOptions<AuthOptions> auth) : ISocketCredentials
{
    public KafkaCredentials? ReadKafkaCredentials(HttpContext context) => KafkaCredentialsReader.Read(context, auth.Value.Jwt);

    /// <summary>When the socket's JWT expires (its exp claim); null for other credentials.</summary>
    public DateTimeOffset? ExpiryOf(HttpContext context) =>
        long.TryParse(context.User.FindFirst("exp")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var exp)
            ? DateTimeOffset.FromUnixTimeSeconds(exp)
            : null;
}
