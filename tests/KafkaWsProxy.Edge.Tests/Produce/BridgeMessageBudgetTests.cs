using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Produce;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Tests.Produce;

/// <summary>Issue 10: records travel to the bridge in messages bounded by Bridge:MaxMessageBytes; one that cannot fit alone is too_large.</summary>
public sealed class BridgeMessageBudgetTests
{
    [Fact]
    public void RejectOversized_RecordThatFitsAlone_IsNotRejected()
    {
        var budget = new BridgeMessageBudget(64 * 1024);
        var record = Record(new string('v', 60_000), "m");

        Assert.Null(budget.RejectOversized(record));
        Assert.True(BridgeMessageBudget.SizeInBatch(record) <= budget.MaxBatchBytes);
    }

    [Fact]
    public void RejectOversized_RecordLargerThanTheMessage_IsTooLargeWithItsMessageId()
    {
        var budget = new BridgeMessageBudget(64 * 1024);

        var error = budget.RejectOversized(Record(new string('v', 70_000), "big"));

        Assert.NotNull(error);
        Assert.Equal(FrameErrorCodes.TooLarge, error.Code);
        Assert.Equal("big", error.MessageId);
        Assert.Contains("Bridge:MaxMessageBytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SizeInBatch_CountsTheRecordsTagAndLengthPrefix_SoABatchOfThemFitsItsMessage()
    {
        var budget = new BridgeMessageBudget(64 * 1024);
        var record = Record(new string('v', 1_000), "m");
        var batch = new ProduceBatch();
        var bytes = 0;
        while (bytes + BridgeMessageBudget.SizeInBatch(record) <= budget.MaxBatchBytes)
        {
            batch.Records.Add(record);
            bytes += BridgeMessageBudget.SizeInBatch(record);
        }

        Assert.Equal(bytes, batch.CalculateSize());
        Assert.True(new ProduceRequest { Batch = batch }.CalculateSize() <= 64 * 1024);
    }

    private static ProduceRecord Record(string value, string messageId) =>
        new() { Value = new TypedValue { StringValue = value }, MessageId = messageId };
}
