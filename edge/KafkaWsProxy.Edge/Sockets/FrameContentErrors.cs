using System.Text;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>
/// What a frame parser answers when reading a frame's content threw: a frame's
/// content must never end its socket (docs/protocol.md §4, §5), so every
/// exception a parser meets on a frame becomes an invalid_frame error for that frame.
/// </summary>
internal static class FrameContentErrors
{
    /// <summary>
    /// True for every exception reading a frame may throw. The parsers work on an
    /// in-memory span only, so nothing but the content can cause one; only running
    /// out of memory is left to the host.
    /// </summary>
    public static bool IsContentFailure(Exception e) => e is not OutOfMemoryException;

    /// <summary>The error message for such an exception; it names the likely cause, never internals.</summary>
    public static string Describe(Exception e) => e switch
    {
        _ when e is DecoderFallbackException || e.InnerException is DecoderFallbackException =>
            "The frame contains a string that is not valid UTF-8.",
        // Utf8JsonReader's message for an escaped surrogate without its pair ("\ud800").
        InvalidOperationException => "The frame contains a string that is not valid Unicode text (for example an escaped lone surrogate such as \\ud800).",
        _ => "The frame could not be read: its content is not a valid frame.",
    };
}
