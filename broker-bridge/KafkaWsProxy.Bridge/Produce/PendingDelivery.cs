using Confluent.Kafka;
using KafkaWsProxy.Bridge.Kafka;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Produce;

/// <summary>
/// One record handed to Kafka (or refused before that), waiting for its
/// result. Completed from librdkafka's delivery-report thread. It is its own
/// completion source: one object per record, not two.
/// </summary>
internal sealed class PendingDelivery : TaskCompletionSource<ProduceResult>
{
    private readonly string _messageId;
    private readonly Telemetry.BridgeMetrics _metrics;
    private long _handedToKafka;

    public PendingDelivery(string messageId, Telemetry.BridgeMetrics metrics)
        : base(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        _messageId = messageId;
        _metrics = metrics;
    }

    /// <summary>The produce latency is measured from here to the delivery report.</summary>
    public void MarkHandedToKafka() => _handedToKafka = System.Diagnostics.Stopwatch.GetTimestamp();

    public Task<ProduceResult> Completion => Task;

    public void Fail(RecordError error) =>
        TrySetResult(new ProduceResult { MessageId = _messageId, Error = error });

    public void OnDeliveryReport(DeliveryReport<byte[]?, byte[]?> report)
    {
        _metrics.Delivered(System.Diagnostics.Stopwatch.GetElapsedTime(_handedToKafka));
        if (report.Error.IsError)
        {
            Fail(KafkaErrorMapping.ToRecordError(report.Error));
            return;
        }

        TrySetResult(new ProduceResult
        {
            MessageId = _messageId,
            Position = new RecordPosition
            {
                Topic = report.Topic,
                Partition = report.Partition.Value,
                Offset = report.Offset.Value,
                TimestampMs = report.Timestamp.UnixTimestampMs,
            },
        });
    }
}
