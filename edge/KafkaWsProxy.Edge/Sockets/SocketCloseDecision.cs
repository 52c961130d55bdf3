using System.Net.WebSockets;
using KafkaWsProxy.Edge.Bridge;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>The close frame to send, or an abort where the connection is gone.</summary>
internal readonly record struct SocketClose(WebSocketCloseStatus? Status, string Reason)
{
    public static readonly SocketClose Abort = new(null, "");

    public bool IsAbort => Status is null;
}

/// <summary>
/// The one place where the outcomes of a socket's loops become its close code
/// (docs/protocol.md §6). Pure: the sessions gather the outcomes, this decides.
/// </summary>
internal static class SocketCloseDecision
{
    public const string ServerStoppingReason = "Server is shutting down; reconnect.";
    public const string CredentialsExpiredReason = "Credentials expired; reconnect with fresh ones.";
    public const string DrainTimedOutReason = "Timed out waiting for Kafka acknowledgements.";
    public const string BridgeEndedReason = "The Kafka bridge ended the stream.";
    public const string BridgeFailedReason = "Kafka bridge failed.";
    public const string NoCauseReason = "The session ended without a cause.";

    /// <summary>A broadcast socket that fell behind (docs/protocol.md §5.1, §6): a private-use code.</summary>
    public const WebSocketCloseStatus FellBehindStatus = (WebSocketCloseStatus)4000;
    public const string FellBehindReasonPrefix = "Fell behind; resume with startOffsets=";

    /// <summary>The most bytes of the offsets in a fell-behind reason (a close reason has at most 123).</summary>
    public const int MaxResumeBytes = 123 - 38;

    /// <summary>
    /// In order: a lost connection can only be aborted; a client that closed and
    /// was sent every ack it was owed gets its normal close; then the first cause
    /// that explains why acks may be missing or the socket ends: a bridge failure,
    /// a bridge drain, the edge stopping, expired credentials, a drain that timed out.
    /// </summary>
    public static SocketClose Decide(in SocketOutcomes outcomes, int maxFrameBytes)
    {
        if (outcomes.Client == ClientOutcome.ConnectionLost || outcomes.Delivery == DeliveryOutcome.ConnectionLost)
        {
            return SocketClose.Abort;
        }

        if (outcomes.Delivery == DeliveryOutcome.Complete)
        {
            switch (outcomes.Client)
            {
                case ClientOutcome.Closed:
                    return new(WebSocketCloseStatus.NormalClosure, "");
                case ClientOutcome.FrameTooLarge:
                    return TooLarge(maxFrameBytes);
            }
        }

        return outcomes switch
        {
            { Bridge: BridgeOutcome.Failed, BridgeError: { } error } =>
                new(BridgeStatusMapping.ToCloseStatus(error), BridgeStatusMapping.ToCloseReason(error)),
            { Bridge: BridgeOutcome.Failed } => new(WebSocketCloseStatus.InternalServerError, BridgeFailedReason),
            { Bridge: BridgeOutcome.FellBehind } => new(FellBehindStatus, FellBehindReasonPrefix + outcomes.ResumeAt),
            { Bridge: BridgeOutcome.Draining } => new(WebSocketCloseStatus.EndpointUnavailable, BridgeStatusMapping.BridgeDrainingReason),
            { Requested: EndRequestReason.ServerStopping } => new(WebSocketCloseStatus.EndpointUnavailable, ServerStoppingReason),
            { Requested: EndRequestReason.CredentialsExpired } => new(WebSocketCloseStatus.PolicyViolation, CredentialsExpiredReason),
            { Delivery: DeliveryOutcome.TimedOut } => new(WebSocketCloseStatus.InternalServerError, DrainTimedOutReason),
            // The bridge ended the stream on its own, or before it answered every record.
            { Bridge: BridgeOutcome.Ended } or { Delivery: DeliveryOutcome.Unanswered } =>
                new(WebSocketCloseStatus.InternalServerError, BridgeEndedReason),
            // Unreachable: nothing ended, nothing was asked.
            _ => new(WebSocketCloseStatus.InternalServerError, NoCauseReason),
        };
    }

    private static SocketClose TooLarge(int maxFrameBytes) =>
        new(WebSocketCloseStatus.MessageTooBig, $"Frame larger than {maxFrameBytes} bytes.");
}
