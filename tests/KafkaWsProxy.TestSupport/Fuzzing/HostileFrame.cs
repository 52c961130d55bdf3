namespace KafkaWsProxy.TestSupport.Fuzzing;

/// <summary>What the proxy must do with one generated frame.</summary>
public enum FrameExpectation
{
    /// <summary>A valid record (produce) or a valid commit (consume): acked with its messageId (produce), no error (consume).</summary>
    Valid,

    /// <summary>Anything else within the limits: exactly one answer in its place (an ack or an error frame), the socket stays open.</summary>
    Answered,

    /// <summary>Over Sockets:MaxFrameBytes: the socket closes with 1009 after the answers owed before it.</summary>
    ClosesTooLarge,

    /// <summary>A text frame that is not UTF-8: the WebSocket layer must fail the connection (RFC 6455 §8.1), 1007.</summary>
    ClosesInvalidText,
}

/// <summary>One generated frame: its bytes, whether it goes as text or binary, what it is, and what must follow.</summary>
/// <param name="Kind">A short name of the generator case, for failure messages.</param>
/// <param name="MessageId">The messageId the ack must carry (valid produce frames), or the commit's id (valid commits).</param>
public sealed record HostileFrame(byte[] Payload, bool IsBinary, string Kind, FrameExpectation Expectation, string MessageId = "")
{
    public bool EndsSocket => Expectation is FrameExpectation.ClosesTooLarge or FrameExpectation.ClosesInvalidText;

    public override string ToString() =>
        $"{Kind} ({Payload.Length} bytes{(IsBinary ? ", binary" : "")}): "
        + System.Text.Encoding.UTF8.GetString(Payload.AsSpan(0, Math.Min(Payload.Length, 160)));
}
