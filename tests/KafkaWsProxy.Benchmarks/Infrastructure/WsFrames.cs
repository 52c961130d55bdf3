using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;

namespace KafkaWsProxy.Benchmarks.Infrastructure;

/// <summary>Reads whole WebSocket messages into a growing buffer (64 KiB at first unless told), and the few fields the benchmark needs.</summary>
internal sealed class WsMessageReader(WebSocket socket, int initialBytes = 64 * 1024)
{
    private byte[] _buffer = new byte[initialBytes];

    /// <summary>The next whole text message, or null when the server closed.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReceiveAsync(CancellationToken cancellationToken)
    {
        var length = 0;
        while (true)
        {
            if (length == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }

            var result = await socket.ReceiveAsync(_buffer.AsMemory(length), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return _buffer.AsMemory(0, length);
            }
        }
    }
}

/// <summary>What a frame from the edge is: a record (with its id and partition), an ack, or an error.</summary>
internal readonly record struct FrameInfo(bool IsError, string? WsProxyMessageId, int Partition, string Text);

internal static class WsFrames
{
    public static FrameInfo Inspect(ReadOnlySpan<byte> frame, bool wantId)
    {
        var reader = new Utf8JsonReader(frame);
        string? id = null;
        var partition = -1;
        var error = false;
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return new FrameInfo(true, null, -1, System.Text.Encoding.UTF8.GetString(frame));
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("error"u8))
            {
                error = true;
                reader.Read();
                reader.Skip();
            }
            else if (reader.ValueTextEquals("partition"u8))
            {
                reader.Read();
                partition = reader.GetInt32();
            }
            else if (wantId && reader.ValueTextEquals("wsProxyMessageId"u8))
            {
                reader.Read();
                id = reader.GetString();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new FrameInfo(error, id, partition, error ? System.Text.Encoding.UTF8.GetString(frame) : string.Empty);
    }

    /// <summary>The record's value when it is a string (<c>"value":{"value":"..."}</c>), else null.</summary>
    public static string? StringValue(ReadOnlySpan<byte> frame)
    {
        var reader = new Utf8JsonReader(frame);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isValue = reader.ValueTextEquals("value"u8);
            reader.Read();
            if (isValue && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isText = reader.ValueTextEquals("value"u8);
                    reader.Read();
                    if (isText)
                    {
                        return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                    }

                    reader.Skip();
                }

                return null;
            }

            reader.Skip();
        }

        return null;
    }

    /// <summary>The records of a batched frame (a JSON array of record objects); an error frame throws.</summary>
    public static int CountRecords(ReadOnlySpan<byte> frame)
    {
        var reader = new Utf8JsonReader(frame);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            throw new InvalidOperationException($"Expected a batch of records: {System.Text.Encoding.UTF8.GetString(frame)}");
        }

        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            reader.Skip();
            count++;
        }

        return count;
    }

    public static async Task CloseQuietlyAsync(ClientWebSocket socket)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bench done", timeout.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // Closing is best effort: the socket is aborted below.
        }

        socket.Abort();
        socket.Dispose();
    }
}
