using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace KafkaWsProxy.Benchmarks.Floor;

/// <summary>
/// Makes the frames the broadcast floor sends: records shaped and sized as the proxy renders them
/// (docs/protocol.md §5: wsProxyMessageId, topic, partition, offset, timestamp, a string value),
/// spread round robin over the partitions, each value the Stopwatch timestamp of its making, in
/// frames of batchSize records (a lone object when batchSize is 0).
/// </summary>
internal sealed class BroadcastFloorFrames(string topic, int partitions, int batchSize) : IDisposable
{
    private readonly long[] _offsets = new long[partitions];
    private readonly ArrayBufferWriter<byte> _frame = new(16 * 1024);
    private readonly Utf8JsonWriter _writer = new(Stream.Null);
    private bool _open;
    private int _inFrame;
    private long _made;

    /// <summary>Adds one record; returns a complete frame (its own copy) when the record completes one.</summary>
    public byte[]? Add()
    {
        if (!_open)
        {
            _open = true;
            _frame.ResetWrittenCount();
            _writer.Reset(_frame);
            if (batchSize > 0)
            {
                _writer.WriteStartArray();
            }
        }

        var partition = (int)(_made++ % partitions);
        var offset = _offsets[partition]++;
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        _writer.WriteStartObject();
        _writer.WriteString("wsProxyMessageId"u8, string.Create(CultureInfo.InvariantCulture, $"{topic}-{partition}-{offset}-{timestamp}"));
        _writer.WriteString("topic"u8, topic);
        _writer.WriteNumber("partition"u8, partition);
        _writer.WriteNumber("offset"u8, offset);
        _writer.WriteNumber("timestamp"u8, timestamp);
        _writer.WriteStartObject("value"u8);
        _writer.WriteString("value"u8, Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture));
        _writer.WriteString("format"u8, "string"u8);
        _writer.WriteEndObject();
        _writer.WriteEndObject();
        if (batchSize > 0 && ++_inFrame < batchSize)
        {
            return null;
        }

        return Complete();
    }

    /// <summary>The records added since the last frame, as a frame; null when there are none.</summary>
    public byte[]? Complete()
    {
        if (!_open)
        {
            return null;
        }

        if (batchSize > 0)
        {
            _writer.WriteEndArray();
        }

        _writer.Flush();
        _open = false;
        _inFrame = 0;
        return _frame.WrittenSpan.ToArray();
    }

    public void Dispose() => _writer.Dispose();
}
