using System.Net.WebSockets;
using System.Text;
using Grpc.Core;

namespace KafkaWsProxy.Edge.Bridge;

/// <summary>
/// The one place where the bridge's gRPC statuses become what a WebSocket
/// client sees: an HTTP status before the upgrade, a close code after it.
/// </summary>
internal static class BridgeStatusMapping
{
    /// <summary>Longest close reason the WebSocket protocol allows, in UTF-8 bytes.</summary>
    private const int MaxCloseReasonBytes = 123;

    public static int ToHttpStatus(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument or StatusCode.NotFound or StatusCode.FailedPrecondition
            or StatusCode.AlreadyExists or StatusCode.OutOfRange => StatusCodes.Status400BadRequest,
        StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
        StatusCode.Aborted => StatusCodes.Status409Conflict,
        StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled => StatusCodes.Status503ServiceUnavailable,
        StatusCode.Unimplemented => StatusCodes.Status501NotImplemented,
        _ => StatusCodes.Status502BadGateway,
    };

    /// <summary>
    /// The message for an HTTP refusal. The bridge's own texts are written for
    /// clients and carry no credentials; failures raised inside the gRPC client
    /// (connection refused...) would reveal internal addresses, so they get a
    /// fixed text.
    /// </summary>
    public static string ToHttpMessage(RpcException exception)
    {
        if (IsLocalFailure(exception) || exception.StatusCode == StatusCode.DeadlineExceeded)
        {
            return BridgeUnavailableMessage;
        }

        return string.IsNullOrWhiteSpace(exception.Status.Detail)
            ? $"The Kafka bridge refused the request ({exception.StatusCode})."
            : exception.Status.Detail;
    }

    public const string BridgeUnavailableMessage = "The Kafka bridge is unavailable; try again later.";

    /// <summary>True when the gRPC client raised the status itself, without an answer from a bridge.</summary>
    public static bool IsLocalFailure(RpcException exception) => exception.Status.DebugException is not null;

    /// <summary>The bridge's trailer that marks a stream ended by its shutdown.</summary>
    public const string DrainingTrailer = "kafkawsproxy-draining";

    /// <summary>The close reason of a socket whose bridge is shutting down.</summary>
    public const string BridgeDrainingReason = "Kafka bridge is shutting down; reconnect.";

    /// <summary>
    /// True when the bridge ended the stream because it is shutting down: its drain
    /// trailer, or its HTTP/2 connection closed gracefully (GOAWAY with NO_ERROR)
    /// under the stream, which a server only does when it goes away. The trailer can
    /// be lost to that close; the bridge's in-band drain notice cannot (see the
    /// sessions), so this is the fallback for a notice that did not come.
    /// </summary>
    public static bool IsDraining(RpcException exception) =>
        (exception.StatusCode == StatusCode.Unavailable && exception.Trailers.GetValue(DrainingTrailer) == "true")
        || IsGracefulConnectionClose(exception);

    private static bool IsGracefulConnectionClose(RpcException exception)
    {
        for (var inner = exception.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is HttpProtocolException { ErrorCode: 0 }
                || inner.Message.Contains("HTTP/2 error code 'NO_ERROR'", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    public static WebSocketCloseStatus ToCloseStatus(RpcException exception) => exception.StatusCode switch
    {
        _ when IsDraining(exception) => WebSocketCloseStatus.EndpointUnavailable,
        StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.Aborted => WebSocketCloseStatus.PolicyViolation,
        _ => WebSocketCloseStatus.InternalServerError,
    };

    public static string ToCloseReason(RpcException exception) => exception.StatusCode switch
    {
        _ when IsDraining(exception) => BridgeDrainingReason,
        _ when IsLocalFailure(exception) => TrimReason(BridgeUnavailableMessage),
        // A newer socket with the same ids took over; the bridge's text says so
        // ("Fenced: ..." for a producer, "Superseded by a newer connection ..." for a consumer).
        StatusCode.Aborted => TrimReason(exception.Status.Detail),
        _ => TrimReason($"Kafka bridge: {exception.Status.Detail}"),
    };

    /// <summary>Cuts a close reason to the protocol's 123 bytes without splitting a character.</summary>
    public static string TrimReason(string reason)
    {
        if (Encoding.UTF8.GetByteCount(reason) <= MaxCloseReasonBytes)
        {
            return reason;
        }

        var length = reason.Length;
        while (length > 0 && Encoding.UTF8.GetByteCount(reason.AsSpan(0, length)) > MaxCloseReasonBytes - 3)
        {
            length--;
        }

        if (length > 0 && char.IsHighSurrogate(reason[length - 1]))
        {
            length--;
        }

        return string.Concat(reason.AsSpan(0, length), "...");
    }
}
