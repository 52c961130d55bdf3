using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>
/// A commit handed to the poll loop, which alone may touch the consumer.
/// <see cref="WantsResult"/>: the client expects a <see cref="CommitResult"/>; otherwise
/// (the bridge's own auto-commits, or a client's commit with no_result) a failure is only logged.
/// </summary>
internal sealed record CommitCommand(CommitRequest Request, bool WantsResult);
