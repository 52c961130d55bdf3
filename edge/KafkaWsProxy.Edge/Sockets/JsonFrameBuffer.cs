using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>
/// One reused buffer and <see cref="Utf8JsonWriter"/> for rendering outbound
/// frames. Owned by a socket's single sender, so never used concurrently; a
/// rendered frame is valid until the next one is started.
/// </summary>
internal abstract class JsonFrameBuffer : IDisposable
{
    private static readonly JsonWriterOptions s_options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    /// <summary>The writer's encoder, for values encoded ahead (<see cref="JsonEncodedText"/>).</summary>
    protected static JavaScriptEncoder Encoder => s_options.Encoder!;

    protected JsonFrameBuffer() => Writer = new Utf8JsonWriter(_buffer, s_options);

    protected Utf8JsonWriter Writer { get; }

    /// <summary>Starts a new frame.</summary>
    protected void Reset()
    {
        _buffer.ResetWrittenCount();
        Writer.Reset(_buffer);
    }

    /// <summary>Ends the frame and returns its bytes.</summary>
    protected ReadOnlyMemory<byte> Flush()
    {
        Writer.Flush();
        return _buffer.WrittenMemory;
    }

    public void Dispose() => Writer.Dispose();
}
