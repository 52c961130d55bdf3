using Grpc.Core;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Consume;
using KafkaWsProxy.Contracts.V1;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Bridge.Tests.Consume;

/// <summary>How a Consume stream ends relative to its consumer's Close.</summary>
public sealed class ConsumeSessionTests
{
    /// <summary>A deadline for what happens at once; far beyond any scheduling delay.</summary>
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RunAsync_SupersededWhileTheConsumerCloseBlocks_EndsAtOnceAndDisposesTheConsumerOnlyAfterItsClose()
    {
        // Was: the stream awaited the consumer's Close, which librdkafka can block forever
        // when an assignment arrives during it; the superseded client never got its close.
        using var held = new SessionWithHeldClose();
        var session = held.Session;
        using var superseded = new CancellationTokenSource();
        var run = session.RunAsync(new EndlessRequests(), new RecordingResponses(), superseded.Token, superseded.Token);

        await superseded.CancelAsync();
        // Ended by its token, as the service sees it (it then answers ABORTED); without waiting for Close.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(s_deadline));
        session.Dispose();
        await held.AssertDisposedOnlyAfterItsCloseAsync();
    }

    [Fact]
    public async Task RunAsync_EndedByItsClient_EndsOnlyOnceTheConsumerIsClosed()
    {
        using var held = new SessionWithHeldClose();
        var (kafka, session) = (held.Kafka, held.Session);
        using var ended = new CancellationTokenSource();
        var run = session.RunAsync(new EndlessRequests(), new RecordingResponses(), ended.Token);

        await ended.CancelAsync();
        await Eventually.TrueAsync(() => kafka.CloseCalls == 1, "the consumer to be closing");

        // The group is left before the call ends, so the same client can rejoin at once.
        Assert.False(run.IsCompleted);
        held.ReleaseClose();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(s_deadline));
        session.Dispose();
        Assert.Equal(1, kafka.DisposeCalls);
        Assert.False(kafka.DisposedWhileClosing);
    }

    [Fact]
    public async Task RunAsync_ConsumerCloseHangsPastTheCloseTimeout_TheStreamEndsAndTheConsumerIsDisposedOnlyAfterItsClose()
    {
        using var held = new SessionWithHeldClose(new ConsumeOptions { CloseTimeout = TimeSpan.FromMilliseconds(100) });
        var session = held.Session;
        using var ended = new CancellationTokenSource();
        var run = session.RunAsync(new EndlessRequests(), new RecordingResponses(), ended.Token);

        await ended.CancelAsync();
        // The Close never returns on its own (librdkafka can hang in it): the call ends all the same.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(s_deadline));
        session.Dispose();
        await held.AssertDisposedOnlyAfterItsCloseAsync();
    }

    /// <summary>A session over a fake consumer whose Close blocks until <see cref="ReleaseClose"/>.</summary>
    private sealed class SessionWithHeldClose : IDisposable
    {
        private readonly ConsumerPollerPool _pool = new(Options.Create(new ConsumeOptions { Pollers = 1 }), NullLogger<ConsumerPollerPool>.Instance);
        private readonly ManualResetEventSlim _closeHeld = new(initialState: false);

        public SessionWithHeldClose(ConsumeOptions? options = null)
        {
            Kafka = new FakeStreamConsumer { HoldClose = _closeHeld };
            Session = new ConsumeSession(Kafka, _pool, new ConsumeOpen { Topic = "t", ClientId = "c" }, "g",
                options ?? new ConsumeOptions(), new GrpcOptions(), TimeProvider.System, NullLogger.Instance);
        }

        public FakeStreamConsumer Kafka { get; }

        public ConsumeSession Session { get; }

        public void ReleaseClose() => _closeHeld.Set();

        /// <summary>The consumer's Close has begun and holds; it is disposed once, and only after the Close returns.</summary>
        public async Task AssertDisposedOnlyAfterItsCloseAsync()
        {
            await Eventually.TrueAsync(() => Kafka.CloseCalls == 1, "the consumer to be closing");

            Assert.Equal(0, Kafka.DisposeCalls);
            ReleaseClose();
            await Eventually.TrueAsync(() => Kafka.DisposeCalls == 1, "the consumer to be disposed once its Close returned");
            Assert.False(Kafka.DisposedWhileClosing);
        }

        public void Dispose()
        {
            // No poller thread is left waiting on the event when it goes.
            _closeHeld.Set();
            _pool.Dispose();
            _closeHeld.Dispose();
        }
    }

    /// <summary>A client that sends nothing after its open and never ends its requests.</summary>
    private sealed class EndlessRequests : IAsyncStreamReader<ConsumeRequest>
    {
        public ConsumeRequest Current => throw new InvalidOperationException("No request was read.");

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return false;
        }
    }
}
