using Microsoft.Extensions.Logging;

namespace KafkaWsProxy.Bridge.Logging;

/// <summary>Every log message of the bridge. Credentials are never a parameter here.</summary>
internal static partial class BridgeLog
{
    private static readonly Func<ILogger, string, string, string, IDisposable?> s_streamScope =
        LoggerMessage.DefineScope<string, string, string>("{Stream} clientId {ClientId} topic {Topic}");

    /// <summary>What every line logged for a stream carries (JSON logs show scopes): never a credential.</summary>
    public static IDisposable? StreamScope(ILogger logger, string kind, string clientId, string topic) =>
        s_streamScope(logger, kind, clientId, topic);

    [LoggerMessage(EventId = 1, EventName = "EmbeddedBrokerStarted", Level = LogLevel.Information,
        Message = "No Kafka bootstrap servers configured: started the embedded Kafka broker (librdkafka mock cluster) at {BootstrapServers} with topics {Topics}")]
    public static partial void EmbeddedBrokerStarted(ILogger logger, string bootstrapServers, string topics);

    [LoggerMessage(EventId = 2, EventName = "UsingKafka", Level = LogLevel.Information,
        Message = "Using Kafka at {BootstrapServers}")]
    public static partial void UsingKafka(ILogger logger, string bootstrapServers);

    [LoggerMessage(EventId = 10, EventName = "ProduceStreamOpened", Level = LogLevel.Debug,
        Message = "Produce stream opened for client {ClientId} on topic {Topic}")]
    public static partial void ProduceStreamOpened(ILogger logger, string clientId, string topic);

    [LoggerMessage(EventId = 11, EventName = "ProduceStreamRefused", Level = LogLevel.Information,
        Message = "Produce stream refused for client {ClientId} on topic {Topic}: {Status} {Detail}")]
    public static partial void ProduceStreamRefused(ILogger logger, string clientId, string topic, Grpc.Core.StatusCode status, string detail);

    [LoggerMessage(EventId = 12, EventName = "ProduceStreamClosed", Level = LogLevel.Debug,
        Message = "Produce stream closed for client {ClientId} on topic {Topic} after {Records} records")]
    public static partial void ProduceStreamClosed(ILogger logger, string clientId, string topic, long records);

    [LoggerMessage(EventId = 13, EventName = "ConsumeStreamOpened", Level = LogLevel.Debug,
        Message = "Consume stream opened for client {ClientId} in group {GroupId} on topic {Topic}")]
    public static partial void ConsumeStreamOpened(ILogger logger, string clientId, string groupId, string topic);

    [LoggerMessage(EventId = 14, EventName = "ConsumeStreamRefused", Level = LogLevel.Information,
        Message = "Consume stream refused for client {ClientId} on topic {Topic}: {Status} {Detail}")]
    public static partial void ConsumeStreamRefused(ILogger logger, string clientId, string topic, Grpc.Core.StatusCode status, string detail);

    [LoggerMessage(EventId = 15, EventName = "ConsumeStreamClosed", Level = LogLevel.Debug,
        Message = "Consume stream closed for client {ClientId} in group {GroupId} on topic {Topic} after {Records} records")]
    public static partial void ConsumeStreamClosed(ILogger logger, string clientId, string groupId, string topic, long records);

    [LoggerMessage(EventId = 16, EventName = "ConsumerPaused", Level = LogLevel.Debug,
        Message = "Consumer of client {ClientId} on {Topic} paused: {Uncommitted} uncommitted, {Waiting} waiting for a full buffer")]
    public static partial void ConsumerPaused(ILogger logger, string clientId, string topic, int uncommitted, int waiting);

    [LoggerMessage(EventId = 17, EventName = "ConsumerResumed", Level = LogLevel.Debug,
        Message = "Consumer of client {ClientId} on {Topic} resumed")]
    public static partial void ConsumerResumed(ILogger logger, string clientId, string topic);

    [LoggerMessage(EventId = 18, EventName = "PartitionsAssigned", Level = LogLevel.Debug,
        Message = "Consumer of client {ClientId} on {Topic} was assigned partitions [{Partitions}]")]
    public static partial void PartitionsAssigned(ILogger logger, string clientId, string topic, string partitions);

    [LoggerMessage(EventId = 19, EventName = "PartitionsRevoked", Level = LogLevel.Debug,
        Message = "Consumer of client {ClientId} on {Topic} lost partitions [{Partitions}]")]
    public static partial void PartitionsRevoked(ILogger logger, string clientId, string topic, string partitions);

    [LoggerMessage(EventId = 22, EventName = "AutoCommitFailed", Level = LogLevel.Warning,
        Message = "Automatic commit for client {ClientId} on {Topic} failed: {Reason}")]
    public static partial void AutoCommitFailed(ILogger logger, string clientId, string topic, string reason);

    [LoggerMessage(EventId = 23, EventName = "ConsumerClosed", Level = LogLevel.Debug,
        Message = "Consumer of client {ClientId} on {Topic} closed in {ElapsedMs} ms")]
    public static partial void ConsumerClosed(ILogger logger, string clientId, string topic, long elapsedMs);

    [LoggerMessage(EventId = 24, EventName = "ConsumerCloseOverdue", Level = LogLevel.Warning,
        Message = "Consumer of client {ClientId} on {Topic} did not close within {Timeout}; its stream ends, and the consumer is released when its Close returns")]
    public static partial void ConsumerCloseOverdue(ILogger logger, string clientId, string topic, TimeSpan timeout);

    [LoggerMessage(EventId = 40, EventName = "SessionRegistryStarted", Level = LogLevel.Information,
        Message = "Session registry on topic {Topic} ({Partitions} partition(s)), this bridge is {BridgeId}")]
    public static partial void SessionRegistryStarted(ILogger logger, string topic, int partitions, string bridgeId);

    [LoggerMessage(EventId = 41, EventName = "SessionGranted", Level = LogLevel.Debug,
        Message = "Session {Kind} {Scope}/{Member} granted")]
    public static partial void SessionGranted(ILogger logger, KafkaWsProxy.Bridge.Sessions.SessionKind kind, string scope, string member);

    [LoggerMessage(EventId = 42, EventName = "SessionSuperseded", Level = LogLevel.Information,
        Message = "Session {Kind} {Scope}/{Member} superseded by a newer one on bridge {NewerBridgeId}; its stream ends")]
    public static partial void SessionSuperseded(
        ILogger logger, KafkaWsProxy.Bridge.Sessions.SessionKind kind, string scope, string member, string newerBridgeId);

    [LoggerMessage(EventId = 20, EventName = "KafkaClientError", Level = LogLevel.Warning,
        Message = "Kafka client {ClientName} reported {KafkaError} (fatal: {IsFatal}): {Reason}")]
    public static partial void KafkaClientError(ILogger logger, string clientName, string kafkaError, bool isFatal, string reason);

    [LoggerMessage(EventId = 21, EventName = "KafkaClientLog", Level = LogLevel.Debug,
        Message = "librdkafka {ClientName} [{Facility}] {Text}")]
    public static partial void KafkaClientLog(ILogger logger, string clientName, string facility, string text);

    [LoggerMessage(EventId = 30, EventName = "UnexpectedStreamFailure", Level = LogLevel.Error,
        Message = "A {Stream} stream failed unexpectedly")]
    public static partial void UnexpectedStreamFailure(ILogger logger, string stream, Exception exception);

    [LoggerMessage(EventId = 43, EventName = "ConsumerPollersStarted", Level = LogLevel.Information,
        Message = "{Count} consume poller thread(s) serve every Consume stream (idle back-off up to {MaxBackoffMs} ms)")]
    public static partial void ConsumerPollersStarted(ILogger logger, int count, double maxBackoffMs);

    [LoggerMessage(EventId = 44, EventName = "ConsumerLeftPoller", Level = LogLevel.Debug,
        Message = "A Consume stream left {Poller}, which now serves {Load}")]
    public static partial void ConsumerLeftPoller(ILogger logger, string poller, int load);

    [LoggerMessage(EventId = 50, EventName = "BroadcastConsumerStarted", Level = LogLevel.Information,
        Message = "Broadcast consumer started for {Broadcast} on {Partitions} partition(s)")]
    public static partial void BroadcastConsumerStarted(ILogger logger, string broadcast, int partitions);

    [LoggerMessage(EventId = 51, EventName = "BroadcastConsumerReleased", Level = LogLevel.Information,
        Message = "Broadcast consumer for {Broadcast} released: its last stream closed")]
    public static partial void BroadcastConsumerReleased(ILogger logger, string broadcast);

    [LoggerMessage(EventId = 52, EventName = "BroadcastStreamFellBehind", Level = LogLevel.Information,
        Message = "Broadcast stream of client {ClientId} on topic {Topic} fell behind its buffer of {BufferedRecords} records; it is ended")]
    public static partial void BroadcastStreamFellBehind(ILogger logger, string clientId, string topic, int bufferedRecords);

    [LoggerMessage(EventId = 53, EventName = "BroadcastPartitionsAdded", Level = LogLevel.Information,
        Message = "Broadcast consumer for {Broadcast} now reads partitions {Partitions}, added to the topic")]
    public static partial void BroadcastPartitionsAdded(ILogger logger, string broadcast, string partitions);

    [LoggerMessage(EventId = 54, EventName = "BroadcastConsumerFailed", Level = LogLevel.Warning,
        Message = "Broadcast consumer for {Broadcast} failed; its streams end: {Reason}")]
    public static partial void BroadcastConsumerFailed(ILogger logger, string broadcast, string reason);

    [LoggerMessage(EventId = 60, EventName = "NativeMemoryTrimmed", Level = LogLevel.Debug,
        Message = "Returned {MiB} MiB of freed native memory to the system")]
    public static partial void NativeMemoryTrimmed(ILogger logger, long miB);

    [LoggerMessage(EventId = 61, EventName = "NativeMemoryTrimUnavailable", Level = LogLevel.Information,
        Message = "This C library has no malloc_trim: freed native memory stays with the process (Kafka:NativeMemoryTrimInterval has no effect)")]
    public static partial void NativeMemoryTrimUnavailable(ILogger logger);
}
