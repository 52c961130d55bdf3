using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Broadcast;

/// <summary>A record decoded once for every stream of a shared consumer, with its size in a response message.</summary>
internal readonly record struct BroadcastRecord(ConsumedRecord Record, int Size);

/// <summary>Records handed to every stream of a shared consumer at once; never changed after that.</summary>
internal sealed record BroadcastBatch(BroadcastRecord[] Records);
