namespace KafkaWsProxy.Edge.Sockets;

/// <summary>A socket request that is refused before the upgrade, with the HTTP status and message to send.</summary>
internal sealed class RequestValidationException(string message, int statusCode = StatusCodes.Status400BadRequest)
    : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
