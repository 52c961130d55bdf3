using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Tests.Sockets;

/// <summary>The edge's read-ahead under a WebSocket: fewer reads of the connection, the same bytes, the same end and failures.</summary>
public sealed class ReadAheadStreamTests
{
    [Fact]
    public async Task SmallReads_AreServedFromOneReadOfTheConnection_InOrder()
    {
        var inner = new CountingStream(Encoding.ASCII.GetBytes("the quick brown fox"));
        await using var stream = new ReadAheadStream(inner);

        var text = new StringBuilder();
        var buffer = new byte[3];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            text.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        Assert.Equal("the quick brown fox", text.ToString());
        Assert.Equal(1, inner.ReadsWithData);
    }

    [Fact]
    public async Task AZeroByteRead_WaitsForDataWithoutTakingAny()
    {
        var inner = new CountingStream("abc"u8.ToArray());
        await using var stream = new ReadAheadStream(inner);

        Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty));
        var buffer = new byte[8];
        Assert.Equal(3, await stream.ReadAsync(buffer));
        Assert.Equal("abc", Encoding.ASCII.GetString(buffer, 0, 3));
    }

    [Fact]
    public async Task AReadAsLargeAsTheReadAhead_GoesStraightToTheConnection()
    {
        var payload = new byte[64 * 1024];
        Random.Shared.NextBytes(payload);
        var inner = new CountingStream(payload);
        await using var stream = new ReadAheadStream(inner);

        var buffer = new byte[payload.Length];
        var read = await stream.ReadAsync(buffer);

        Assert.Equal(payload.Length, read);
        Assert.Equal(payload, buffer);
    }

    [Fact]
    public async Task AFailingConnection_FailsTheRead()
    {
        await using var stream = new ReadAheadStream(new FailingStream());

        await Assert.ThrowsAsync<IOException>(() => stream.ReadAsync(new byte[10]).AsTask());
    }

    [Fact]
    public async Task AWebSocketOverIt_ReceivesSmallAndLargeMessagesIntact_AndTheClose()
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        using var client = WebSocket.CreateFromStream(
            new DuplexStream(toClient.Reader.AsStream(), toServer.Writer.AsStream()),
            new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        using var server = WebSocket.CreateFromStream(
            new ReadAheadStream(new DuplexStream(toServer.Reader.AsStream(), toClient.Writer.AsStream())),
            new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });

        var messages = Enumerable.Range(0, 200).Select(i => Encoding.UTF8.GetBytes($"{{\"value\":\"record {i}\"}}")).ToList();
        var large = new byte[100_000];
        Random.Shared.NextBytes(large);
        messages.Insert(100, large);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        // Sent while the server reads: the pipes hold back a writer that is far ahead of its reader.
        var sending = Task.Run(async () =>
        {
            foreach (var message in messages)
            {
                await client.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, timeout.Token);
            }

            await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        });

        var buffer = new byte[200_000];
        foreach (var expected in messages)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await server.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
                length += result.Count;
            }
            while (!result.EndOfMessage);

            Assert.Equal(expected, buffer[..length]);
        }

        var close = await server.ReceiveAsync(buffer.AsMemory(), timeout.Token);
        await sending;
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, server.CloseStatus);
    }

    private sealed class CountingStream(byte[] readable) : MemoryStream(readable)
    {
        public int ReadsWithData { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await base.ReadAsync(buffer, cancellationToken);
            ReadsWithData += read > 0 ? 1 : 0;
            return read;
        }
    }

    private sealed class FailingStream : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<int>(new IOException("The connection was reset."));
    }

    private sealed class DuplexStream(Stream reading, Stream writing) : Stream
    {
        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            reading.ReadAsync(buffer, cancellationToken);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            writing.WriteAsync(buffer, cancellationToken);

        public override Task FlushAsync(CancellationToken cancellationToken) => writing.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => reading.Read(buffer, offset, count);

        public override void Write(byte[] buffer, int offset, int count) => writing.Write(buffer, offset, count);

        public override void Flush() => writing.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
