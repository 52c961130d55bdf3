using System.Text;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Tests.Sockets;

/// <summary>The edge's write coalescing under a WebSocket: fewer writes, same bytes, same order, nothing left held.</summary>
public sealed class CoalescingStreamTests
{
    [Fact]
    public async Task WritesOutsideABurst_GoOutOneByOne()
    {
        var inner = new RecordingStream();
        await using var stream = new CoalescingStream(inner, maxHeldBytes: 1024);

        await stream.WriteAsync("a"u8.ToArray());
        await stream.WriteAsync("b"u8.ToArray());

        Assert.Equal(["a", "b"], inner.Writes);
    }

    [Fact]
    public async Task WritesInABurst_GoOutAsOneWrite_WhenTheBurstEnds()
    {
        var inner = new RecordingStream();
        await using var stream = new CoalescingStream(inner, maxHeldBytes: 1024);

        stream.Begin();
        await stream.WriteAsync("a"u8.ToArray());
        await stream.WriteAsync("b"u8.ToArray());
        await stream.WriteAsync("c"u8.ToArray());
        Assert.Empty(inner.Writes);
        await stream.EndAsync(CancellationToken.None);

        Assert.Equal(["abc"], inner.Writes);
    }

    [Fact]
    public async Task ABurstOverTheLimit_IsWrittenAsItReachesIt_InOrder()
    {
        var inner = new RecordingStream();
        await using var stream = new CoalescingStream(inner, maxHeldBytes: 4);

        stream.Begin();
        foreach (var part in new[] { "ab", "cd", "ef", "g" })
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(part));
        }

        await stream.EndAsync(CancellationToken.None);

        Assert.Equal(["abcd", "efg"], inner.Writes);
    }

    [Fact]
    public async Task AWriteAfterTheBurst_CarriesNothingHeldOver()
    {
        var inner = new RecordingStream();
        await using var stream = new CoalescingStream(inner, maxHeldBytes: 1024);

        stream.Begin();
        await stream.WriteAsync("x"u8.ToArray());
        await stream.EndAsync(CancellationToken.None);
        await stream.WriteAsync("y"u8.ToArray());
        await stream.EndAsync(CancellationToken.None);

        Assert.Equal(["x", "y"], inner.Writes);
    }

    [Fact]
    public async Task WholeFramesBetweenCopiedWrites_GoOutInWriteOrder_AsTheSameBytes()
    {
        var inner = new RecordingStream();
        await using var stream = new CoalescingStream(inner, maxHeldBytes: 1024);
        var shared = "W1"u8.ToArray();

        stream.Begin();
        await stream.WriteAsync("a"u8.ToArray());
        await stream.WriteWholeFrameAsync(shared, CancellationToken.None);
        await stream.WriteWholeFrameAsync("W2"u8.ToArray(), CancellationToken.None);
        await stream.WriteAsync("b"u8.ToArray());
        await stream.WriteAsync("c"u8.ToArray());
        Assert.Empty(inner.Writes);
        await stream.EndAsync(CancellationToken.None);

        Assert.Equal(["a", "W1", "W2", "bc"], inner.Writes);
        Assert.Contains(inner.Buffers, b => b.Span.Overlaps(shared));
    }

    [Fact]
    public async Task WholeFrames_CountTowardsTheLimit_AndNothingIsWrittenTwice()
    {
        var inner = new RecordingStream();
        await using var stream = new CoalescingStream(inner, maxHeldBytes: 4);

        stream.Begin();
        await stream.WriteWholeFrameAsync("ab"u8.ToArray(), CancellationToken.None);
        await stream.WriteAsync("c"u8.ToArray());
        await stream.WriteWholeFrameAsync("de"u8.ToArray(), CancellationToken.None);
        await stream.WriteAsync("f"u8.ToArray());
        await stream.EndAsync(CancellationToken.None);
        await stream.WriteAsync("g"u8.ToArray());

        Assert.Equal(["ab", "c", "de", "f", "g"], inner.Writes);
    }

    [Fact]
    public async Task AFailedWrite_LeavesNothingToBeWrittenAgain()
    {
        var inner = new RecordingStream { FailNext = true };
        await using var stream = new CoalescingStream(inner, maxHeldBytes: 1024);

        stream.Begin();
        await stream.WriteAsync("a"u8.ToArray());
        await stream.WriteWholeFrameAsync("W"u8.ToArray(), CancellationToken.None);
        await Assert.ThrowsAsync<IOException>(() => stream.EndAsync(CancellationToken.None).AsTask());
        await stream.WriteAsync("b"u8.ToArray());

        Assert.Equal(["b"], inner.Writes);
    }

    [Fact]
    public async Task Reads_PassThrough()
    {
        var inner = new RecordingStream("hello"u8.ToArray());
        await using var stream = new CoalescingStream(inner, maxHeldBytes: 1024);

        var buffer = new byte[16];
        var read = await stream.ReadAsync(buffer);

        Assert.Equal("hello", Encoding.ASCII.GetString(buffer, 0, read));
    }

    private sealed class RecordingStream(byte[]? readable = null) : MemoryStream(readable ?? [])
    {
        public List<string> Writes { get; } = [];

        public List<ReadOnlyMemory<byte>> Buffers { get; } = [];

        public bool FailNext { get; set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (FailNext)
            {
                FailNext = false;
                return ValueTask.FromException(new IOException("The connection was reset."));
            }

            Writes.Add(Encoding.ASCII.GetString(buffer.Span));
            Buffers.Add(buffer);
            return ValueTask.CompletedTask;
        }
    }
}
