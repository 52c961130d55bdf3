using Confluent.Kafka;
using Grpc.Core;
using KafkaWsProxy.Bridge.Kafka;

namespace KafkaWsProxy.Bridge.Tests.Kafka;

/// <summary>
/// Where Kafka's errors become the contract's statuses (the edge then maps
/// UNAUTHENTICATED to 401 and PERMISSION_DENIED to 403). The embedded broker has
/// no SASL and no ACLs, so these Kafka errors are shown here, at the mapping.
/// </summary>
public sealed class KafkaErrorMappingTests
{
    [Theory]
    [InlineData(ErrorCode.SaslAuthenticationFailed, StatusCode.Unauthenticated)]
    [InlineData(ErrorCode.Local_Authentication, StatusCode.Unauthenticated)]
    [InlineData(ErrorCode.TopicAuthorizationFailed, StatusCode.PermissionDenied)]
    [InlineData(ErrorCode.GroupAuthorizationFailed, StatusCode.PermissionDenied)]
    [InlineData(ErrorCode.ClusterAuthorizationFailed, StatusCode.PermissionDenied)]
    [InlineData(ErrorCode.UnknownTopicOrPart, StatusCode.NotFound)]
    [InlineData(ErrorCode.Local_AllBrokersDown, StatusCode.Unavailable)]
    [InlineData(ErrorCode.Local_Transport, StatusCode.Unavailable)]
    [InlineData(ErrorCode.ProducerFenced, StatusCode.Aborted)]
    [InlineData(ErrorCode.InvalidMsg, StatusCode.Internal)]
    public void ToStatusCode_KafkaError_IsTheContractsStatus(ErrorCode kafka, StatusCode expected)
    {
        Assert.Equal(expected, KafkaErrorMapping.ToStatusCode(kafka));
    }

    [Fact]
    public void ToRpcException_NamesWhatFailedAndKafkasError()
    {
        var exception = KafkaErrorMapping.ToRpcException(new KafkaException(ErrorCode.TopicAuthorizationFailed), "Could not check topic t");

        Assert.Equal(StatusCode.PermissionDenied, exception.StatusCode);
        Assert.StartsWith("Could not check topic t", exception.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("TopicAuthorizationFailed", exception.Status.Detail, StringComparison.Ordinal);
    }
}
