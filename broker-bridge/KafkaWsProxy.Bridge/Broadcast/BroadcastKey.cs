using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Broadcast;

/// <summary>
/// What broadcast streams must agree on to share one consumer (docs/protocol.md §5.1): the topic,
/// the formats records are decoded into, the isolation level and the Kafka credentials (streams
/// with different credentials never share a Kafka client). A stream that gives its own start has
/// a <see cref="PrivateId"/>, so it never shares.
/// </summary>
internal readonly record struct BroadcastKey(
    string Topic,
    DataFormat KeyFormat,
    DataFormat ValueFormat,
    IsolationLevel Isolation,
    string? Username,
    string? Password,
    Guid PrivateId)
{
    public static BroadcastKey For(ConsumeOpen open) => new(
        open.Topic,
        open.KeyFormat == DataFormat.Unspecified ? DataFormat.String : open.KeyFormat,
        open.ValueFormat == DataFormat.Unspecified ? DataFormat.String : open.ValueFormat,
        open.IsolationLevel == IsolationLevel.ReadCommitted ? IsolationLevel.ReadCommitted : IsolationLevel.ReadUncommitted,
        open.Credentials?.Username,
        open.Credentials?.Password,
        BroadcastStart.IsGiven(open) ? Guid.NewGuid() : Guid.Empty);

    public bool IsShared => PrivateId == Guid.Empty;

    // Never print the password.
    public override string ToString() => $"{Topic} ({KeyFormat}/{ValueFormat}, {Isolation}{(IsShared ? "" : ", own start")})";
}
