using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>
/// What broadcast sockets of one edge must have in common to share one bridge stream
/// (docs/protocol.md §5.1): what the bridge shares a consumer by (topic, formats, isolation level,
/// Kafka credentials), and the shape of the frames the edge renders once for all of them.
/// </summary>
/// <remarks>The credentials are compared by value and kept in memory only, never logged.</remarks>
internal readonly record struct BroadcastFanOutKey(
    string Topic, DataFormat KeyFormat, DataFormat ValueFormat, IsolationLevel Isolation, KafkaCredentials? Credentials, int BatchSize)
{
    public static BroadcastFanOutKey Of(ConsumerSocketSettings settings) => new(
        settings.Open.Topic, settings.Open.KeyFormat, settings.Open.ValueFormat, settings.Open.IsolationLevel,
        settings.Open.Credentials?.Clone(), settings.BatchSize);
}
