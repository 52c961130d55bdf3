using System.Net.WebSockets;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Tests.Sockets;

/// <summary>A frame built once for many sockets is one a WebSocket client reads as the whole text message, at every length encoding.</summary>
public sealed class ServerTextFrameTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(65_535)]
    [InlineData(65_536)]
    [InlineData(200_000)]
    public async Task Build_IsReadByAClientWebSocket_AsOneTextMessageWithThePayload(int length)
    {
        // A text message must be UTF-8, which the client checks.
        var payload = Enumerable.Range(0, length).Select(i => (byte)('a' + (i % 26))).ToArray();
        var frame = ServerTextFrame.Build(payload);
        Assert.Equal(ServerTextFrame.HeaderLength(length), frame.Length - length);

        using var client = WebSocket.CreateFromStream(new ReceivedBytes(frame), new WebSocketCreationOptions { IsServer = false });
        var received = new byte[length + 1];
        var total = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await client.ReceiveAsync(received.AsMemory(total), CancellationToken.None);
            total += result.Count;
        }
        while (!result.EndOfMessage);

        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        Assert.Equal(payload, received[..total]);
    }

    /// <summary>What the server sent; what the client writes back (a close, a pong) is not looked at.</summary>
    private sealed class ReceivedBytes(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public override bool CanWrite => true;

        public override void Write(byte[] buffer, int offset, int count)
        {
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
