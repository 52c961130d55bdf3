using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Produce;

/// <summary>Turns the bridge's per-record errors into error frames.</summary>
internal static class RecordErrors
{
    public static FrameError ToFrameError(RecordError error, string messageId) => new(
        error.Code switch
        {
            RecordErrorCode.InvalidData => FrameErrorCodes.InvalidData,
            RecordErrorCode.KafkaRejected => FrameErrorCodes.KafkaRejected,
            RecordErrorCode.TimedOut => FrameErrorCodes.TimedOut,
            RecordErrorCode.TooLarge => FrameErrorCodes.TooLarge,
            _ => FrameErrorCodes.Unknown,
        },
        error.Message,
        messageId,
        error.KafkaError);
}
