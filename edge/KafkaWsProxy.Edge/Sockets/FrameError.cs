namespace KafkaWsProxy.Edge.Sockets;

/// <summary>Stable error codes of error frames (docs/protocol.md §4), as sent to clients.</summary>
internal static class FrameErrorCodes
{
    /// <summary>Not a JSON object of the inbound frame's shape.</summary>
    public const string InvalidFrame = "invalid_frame";

    /// <summary>A text frame with no content.</summary>
    public const string EmptyFrame = "empty_frame";

    /// <summary>A binary frame; the protocol is JSON text.</summary>
    public const string BinaryFrame = "binary_frame";

    /// <summary>The key does not fit its format.</summary>
    public const string InvalidKey = "invalid_key";

    /// <summary>The value does not fit its format.</summary>
    public const string InvalidValue = "invalid_value";

    /// <summary>The bridge found the key or value invalid for its format.</summary>
    public const string InvalidData = "invalid_data";

    /// <summary>Kafka rejected the record.</summary>
    public const string KafkaRejected = "kafka_rejected";

    /// <summary>Kafka did not acknowledge the record in time.</summary>
    public const string TimedOut = "timed_out";

    /// <summary>The record is larger than Kafka accepts.</summary>
    public const string TooLarge = "too_large";

    /// <summary>A consumed record's key or value did not decode as the socket's type; it is delivered as base64.</summary>
    public const string Undecodable = "undecodable";

    /// <summary>A commit frame that names no record this socket can commit.</summary>
    public const string InvalidCommit = "invalid_commit";

    /// <summary>Kafka or the bridge refused a commit (not delivered here, already committed, rebalanced away).</summary>
    public const string CommitFailed = "commit_failed";

    /// <summary>An error the bridge reported without a known code.</summary>
    public const string Unknown = "unknown";
}

/// <summary>Why one inbound frame got an error frame instead of an ack.</summary>
internal sealed record FrameError(string Code, string Message, string MessageId = "", string KafkaError = "");
