using Confluent.Kafka;
using Grpc.Core;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Kafka;

/// <summary>
/// The one place where Kafka's errors become the bridge's contract: a
/// <see cref="RecordError"/> for one record, a gRPC status for a whole stream.
/// No Confluent exception leaves a gRPC service any other way.
/// </summary>
internal static class KafkaErrorMapping
{
    public static RecordError ToRecordError(Error error) => new()
    {
        Code = error.Code switch
        {
            // Both the producer's own message.max.bytes check and the broker's (or the topic's max.message.bytes).
            ErrorCode.MsgSizeTooLarge => RecordErrorCode.TooLarge,
            ErrorCode.Local_MsgTimedOut or ErrorCode.RequestTimedOut or ErrorCode.Local_TimedOut => RecordErrorCode.TimedOut,
            _ => RecordErrorCode.KafkaRejected,
        },
        KafkaError = error.Code.ToString(),
        Message = error.Reason,
    };

    public static StatusCode ToStatusCode(ErrorCode code) => code switch
    {
        ErrorCode.SaslAuthenticationFailed or ErrorCode.Local_Authentication or ErrorCode.IllegalSaslState
            or ErrorCode.UnsupportedSaslMechanism => StatusCode.Unauthenticated,
        ErrorCode.TopicAuthorizationFailed or ErrorCode.GroupAuthorizationFailed or ErrorCode.ClusterAuthorizationFailed
            or ErrorCode.TransactionalIdAuthorizationFailed => StatusCode.PermissionDenied,
        ErrorCode.UnknownTopicOrPart or ErrorCode.Local_UnknownTopic => StatusCode.NotFound,
        ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown or ErrorCode.Local_TimedOut or ErrorCode.RequestTimedOut
            or ErrorCode.BrokerNotAvailable or ErrorCode.LeaderNotAvailable or ErrorCode.NotCoordinatorForGroup
            or ErrorCode.GroupLoadInProgress or ErrorCode.Local_WaitCoord => StatusCode.Unavailable,
        ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch or ErrorCode.Local_Fenced => StatusCode.Aborted,
        _ => StatusCode.Internal,
    };

    public static RpcException ToRpcException(KafkaException exception, string whatFailed)
    {
        var error = exception.Error;
        return new RpcException(new Status(ToStatusCode(error.Code), $"{whatFailed}: Kafka reported {error.Code} ({error.Reason})"));
    }
}
