using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>
/// A commit handed to the poll loop, which alone may touch the consumer.
/// <see cref="FromClient"/>: the client asked and expects a <see cref="CommitResult"/>.
/// </summary>
internal sealed record CommitCommand(CommitRequest Request, bool FromClient);
