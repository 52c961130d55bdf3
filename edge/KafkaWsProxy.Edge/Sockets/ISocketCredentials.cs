using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>What a socket's request says about its credentials (Auth/ knows how to read them).</summary>
internal interface ISocketCredentials
{
    /// <summary>The Kafka credentials the socket brings for the bridge, or null when it brings none.</summary>
    /// <exception cref="RequestValidationException">Credentials are given, but malformed.</exception>
    KafkaCredentials? ReadKafkaCredentials(HttpContext context);

    /// <summary>When the credentials the socket was opened with expire, after which it is closed; null if never.</summary>
    DateTimeOffset? ExpiryOf(HttpContext context);
}
