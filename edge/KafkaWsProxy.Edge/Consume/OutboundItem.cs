using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Produce;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>
/// Something the socket's single sender must write: a record (with its
/// partition's ownership generation when it was queued), or an error frame.
/// </summary>
internal readonly record struct OutboundItem(ConsumedRecord? Record, FrameError? Error, int Generation = 0);
