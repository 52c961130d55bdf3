using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>
/// What a frame a /socket/out client sent asks for (docs/protocol.md §5): a commit to forward,
/// or the error frame that answers it. The one place that decides it for every kind of consumer socket.
/// </summary>
internal static class InboundCommitFrames
{
    public static CommitRequest? Read(ConsumerSocketSettings settings, ReceivedKind kind, ReadOnlySpan<byte> frame, out FrameError? error)
    {
        error = InboundFrames.RejectUnreadable(kind, frame);
        if (error is not null)
        {
            return null;
        }

        var commit = CommitFrameParser.Parse(frame, settings.Open.Topic, out error);
        if (commit is not null && settings.Broadcast)
        {
            error = new FrameError(FrameErrorCodes.InvalidCommit,
                "A broadcast socket (mode=broadcast) has no consumer group and commits nothing.", commit.RequestId);
            return null;
        }

        if (commit is not null && settings.AutoCommit)
        {
            error = new FrameError(FrameErrorCodes.InvalidCommit,
                "This socket commits automatically (autoCommit=true); open it with autoCommit=false to commit yourself.",
                commit.RequestId);
            return null;
        }

        return commit;
    }
}
