using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>
/// Something the socket's single sender must write: the records of one bridge
/// message (with the partitions' ownership when they were queued), or an error frame.
/// </summary>
internal readonly record struct OutboundItem(IReadOnlyList<ConsumedRecord>? Records, FrameError? Error, OwnershipStamp Stamp = default);
