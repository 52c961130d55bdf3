using Google.Protobuf;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Produce;

/// <summary>
/// How many records fit in one gRPC message to the bridge: Bridge:MaxMessageBytes, the
/// limit both sides enforce. Batches are cut to fit it, and a record that cannot fit even
/// alone is answered too_large at once instead of failing the whole stream.
/// </summary>
internal sealed class BridgeMessageBudget(int maxMessageBytes)
{
    // The ProduceRequest and ProduceBatch wrappers around the records: tags and length prefixes.
    private const int WrapperBytes = 32;

    /// <summary>The bytes a batch's records may take together.</summary>
    public int MaxBatchBytes { get; } = maxMessageBytes - WrapperBytes;

    /// <summary>The bytes one record adds to a batch: its own size, its field tag and its length prefix.</summary>
    public static int SizeInBatch(ProduceRecord record)
    {
        var size = record.CalculateSize();
        return 1 + CodedOutputStream.ComputeLengthSize(size) + size;
    }

    /// <summary>The too_large error for a record that cannot travel to the bridge, or null when it can.</summary>
    public FrameError? RejectOversized(ProduceRecord record)
    {
        var size = SizeInBatch(record);
        return size <= MaxBatchBytes
            ? null
            : new FrameError(FrameErrorCodes.TooLarge,
                $"The record takes {size} bytes, more than the edge may send to the bridge in one message ({MaxBatchBytes}, Bridge:MaxMessageBytes).",
                record.MessageId);
    }
}
