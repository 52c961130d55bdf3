using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Produce;

/// <summary>
/// The answer owed for one inbound frame, queued in input order: either an
/// error decided at the edge, or the next result of the bridge stream.
/// </summary>
internal readonly record struct AckSlot(FrameError? LocalError);
