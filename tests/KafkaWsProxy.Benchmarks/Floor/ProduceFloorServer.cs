using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace KafkaWsProxy.Benchmarks.Floor;

/// <summary>
/// The WebSocket floor: a minimal Kestrel WebSocket server that parses each JSON
/// text frame (the proxy's produce frame), takes its <c>messageId</c>, and answers
/// with a small JSON ack shaped like the proxy's (topic, partition, offset,
/// timestamp, messageId). No Kafka, no gRPC: what one frame each way costs on this
/// machine with Kestrel and the same client.
/// </summary>
/// <remarks>
/// It runs as a process of its own (the benchmark program with <see cref="Argument"/>,
/// driven through <see cref="ProduceFloor"/>), as the edge does, so that its CPU per
/// frame is read apart from the client's and compares with the edge's.
/// </remarks>
internal static class ProduceFloorServer
{
    public const string Argument = "--floor-server";

    /// <summary>The floor process: serves until stopped. Takes --urls.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var app = FloorHost.CreateBuilder(args).Build();
        app.UseWebSockets();
        app.Map("/floor", async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            await AnswerAsync(socket, context.RequestAborted);
        });
        await app.RunAsync();
        return 0;
    }

    /// <summary>One loop per socket: receive a whole frame, parse it, send its ack.</summary>
    private static async Task AnswerAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var frame = new byte[4096];
        var ack = new ArrayBufferWriter<byte>(256);
        var offset = 0L;
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (length == frame.Length)
                    {
                        Array.Resize(ref frame, frame.Length * 2);
                    }

                    result = await socket.ReceiveAsync(frame.AsMemory(length), cancellationToken);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken);
                    return;
                }

                ack.ResetWrittenCount();
                WriteAck(frame.AsSpan(0, length), offset++, ack);
                await socket.SendAsync(ack.WrittenMemory, WebSocketMessageType.Text, true, cancellationToken);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The client went away: the floor has nothing to report.
        }
    }

    /// <summary>Parses the whole frame (as the edge must) and writes the ack; a frame that is not JSON gets an error.</summary>
    private static void WriteAck(ReadOnlySpan<byte> frame, long offset, IBufferWriter<byte> output)
    {
        using var json = new Utf8JsonWriter(output);
        json.WriteStartObject();
        try
        {
            var reader = new Utf8JsonReader(frame);
            string? messageId = null;
            var sawValue = false;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = reader.ValueTextEquals("messageId"u8);
                sawValue |= reader.ValueTextEquals("value"u8);
                reader.Read();
                if (isId)
                {
                    messageId = reader.GetString();
                }
                else
                {
                    reader.Skip();
                }
            }

            if (!sawValue)
            {
                throw new JsonException("no value");
            }

            json.WriteString("topic"u8, "floor"u8);
            json.WriteNumber("partition"u8, 0);
            json.WriteNumber("offset"u8, offset);
            json.WriteNumber("timestamp"u8, 1234);
            if (messageId is not null)
            {
                json.WriteString("messageId"u8, messageId);
            }
        }
        catch (JsonException e)
        {
            json.WriteStartObject("error"u8);
            json.WriteString("code"u8, "invalid_frame"u8);
            json.WriteString("message"u8, e.Message);
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }
}
