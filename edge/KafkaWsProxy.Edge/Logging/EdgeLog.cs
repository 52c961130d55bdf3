using Grpc.Core;

namespace KafkaWsProxy.Edge.Logging;

/// <summary>Every log message of the edge. Credentials and frame contents are never a parameter here.</summary>
internal static partial class EdgeLog
{
    private static readonly Func<ILogger, string, string, string, IDisposable?> s_socketScope =
        LoggerMessage.DefineScope<string, string, string>("{Endpoint} clientId {ClientId} topic {Topic}");

    /// <summary>What every line logged for a socket carries (JSON logs show scopes): never a credential.</summary>
    public static IDisposable? SocketScope(ILogger logger, string path, string clientId, string topic) =>
        s_socketScope(logger, path, clientId, topic);

    [LoggerMessage(EventId = 1, EventName = "SocketRefused", Level = LogLevel.Information,
        Message = "Refused {Path} for client {ClientId}: {StatusCode} {Reason}")]
    public static partial void SocketRefused(ILogger logger, string path, string clientId, int statusCode, string reason);

    [LoggerMessage(EventId = 2, EventName = "SocketOpened", Level = LogLevel.Debug,
        Message = "Opened {Path} for client {ClientId} on topic {Topic}")]
    public static partial void SocketOpened(ILogger logger, string path, string clientId, string topic);

    // The outcomes are the enums of Sockets/ (ClientOutcome, BridgeOutcome, DeliveryOutcome,
    // EndRequestReason), taken as Enum so that Logging/ depends on no folder that logs.
    [LoggerMessage(EventId = 3, EventName = "SocketClosed", Level = LogLevel.Debug,
        Message = "Closed {Path} for client {ClientId}: client {ClientOutcome}, bridge {BridgeOutcome}, delivery {DeliveryOutcome}, requested {EndRequest}; close {CloseStatus} {CloseReason}")]
    public static partial void SocketClosed(
        ILogger logger, string path, string clientId, Enum clientOutcome, Enum bridgeOutcome,
        Enum deliveryOutcome, Enum endRequest, System.Net.WebSockets.WebSocketCloseStatus? closeStatus, string? closeReason);

    [LoggerMessage(EventId = 10, EventName = "BridgeStreamFailed", Level = LogLevel.Warning,
        Message = "Bridge stream for client {ClientId} failed: {StatusCode} {Detail}")]
    public static partial void BridgeStreamFailed(ILogger logger, string clientId, StatusCode statusCode, string detail);

    [LoggerMessage(EventId = 11, EventName = "BridgeUnreachable", Level = LogLevel.Warning,
        Message = "The bridge could not be reached: {Detail}")]
    public static partial void BridgeUnreachable(ILogger logger, string detail);

    [LoggerMessage(EventId = 13, EventName = "BridgeHealthChanged", Level = LogLevel.Information,
        Message = "Bridge {Address} is {Health}: {Detail}")]
    public static partial void BridgeHealthChanged(ILogger logger, string address, string health, string detail);

    [LoggerMessage(EventId = 12, EventName = "IdentityProviderUnreachable", Level = LogLevel.Warning,
        Message = "The identity provider's discovery document or keys could not be fetched: {Reason}")]
    public static partial void IdentityProviderUnreachable(ILogger logger, string reason);

    [LoggerMessage(EventId = 13, EventName = "EdgeDraining", Level = LogLevel.Information,
        Message = "Draining: refusing new sockets, ending {OpenSockets} open sockets")]
    public static partial void EdgeDraining(ILogger logger, int openSockets);

    [LoggerMessage(EventId = 14, EventName = "EdgeDrained", Level = LogLevel.Information,
        Message = "Drained: every socket is closed")]
    public static partial void EdgeDrained(ILogger logger);

    [LoggerMessage(EventId = 15, EventName = "EdgeDrainIncomplete", Level = LogLevel.Warning,
        Message = "Drain incomplete: {OpenSockets} sockets still open at the deadline")]
    public static partial void EdgeDrainIncomplete(ILogger logger, int openSockets);

    [LoggerMessage(EventId = 20, EventName = "UnhandledRequestFailure", Level = LogLevel.Error,
        Message = "Unhandled failure on {Path}")]
    public static partial void UnhandledRequestFailure(ILogger logger, string path, Exception exception);

    [LoggerMessage(EventId = 30, EventName = "BroadcastSocketFellBehind", Level = LogLevel.Information,
        Message = "Broadcast socket of client {ClientId} on topic {Topic} fell behind (more than {BufferedRecords} records waiting); it is closed with 4000")]
    public static partial void BroadcastSocketFellBehind(ILogger logger, string clientId, string topic, int bufferedRecords);

    [LoggerMessage(EventId = 31, EventName = "BroadcastStreamOpened", Level = LogLevel.Information,
        Message = "Shared broadcast stream opened for topic {Topic} (batchSize {BatchSize})")]
    public static partial void BroadcastStreamOpened(ILogger logger, string topic, int batchSize);

    [LoggerMessage(EventId = 32, EventName = "BroadcastStreamClosed", Level = LogLevel.Information,
        Message = "Shared broadcast stream for topic {Topic} closed ({Outcome})")]
    public static partial void BroadcastStreamClosed(ILogger logger, string topic, string outcome);
}
