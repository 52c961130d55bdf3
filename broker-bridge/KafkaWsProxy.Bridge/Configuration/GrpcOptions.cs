using Google.Protobuf;

namespace KafkaWsProxy.Bridge.Configuration;

/// <summary>Limits of the bridge's gRPC service. Section "Grpc".</summary>
public sealed class GrpcOptions
{
    public const string SectionName = "Grpc";

    // The response (or request) and batch wrappers around a batch's items: tags and length prefixes.
    private const int WrapperBytes = 32;

    /// <summary>
    /// Largest gRPC message, in bytes, the bridge accepts from an edge and sends to one
    /// (both MaxReceiveMessageSize and MaxSendMessageSize). Must be the same number as the
    /// edge's Bridge:MaxMessageBytes. Record and result batches are cut to fit; a consumed
    /// record too large to fit alone is delivered as a too_large error on that record.
    /// The default leaves room for a record of the largest default frame (Sockets:MaxFrameBytes,
    /// 1 MiB) and of Kafka's default largest record (message.max.bytes, about 1 MB) several times over.
    /// </summary>
    public int MaxMessageBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>The bytes a batch's items may take together (the message minus its wrappers).</summary>
    public int MaxBatchBytes => MaxMessageBytes - WrapperBytes;

    /// <summary>The bytes one item adds to a batch: its own size, its field tag and its length prefix.</summary>
    public static int SizeInBatch(IMessage item)
    {
        var size = item.CalculateSize();
        return 1 + CodedOutputStream.ComputeLengthSize(size) + size;
    }
}
