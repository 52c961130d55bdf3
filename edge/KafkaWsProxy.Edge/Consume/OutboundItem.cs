using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Produce;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>Something the socket's single sender must write: a record, or an error frame.</summary>
internal readonly record struct OutboundItem(ConsumedRecord? Record, FrameError? Error);
