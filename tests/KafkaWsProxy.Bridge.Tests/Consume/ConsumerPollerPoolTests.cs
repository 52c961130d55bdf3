using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Consume;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Bridge.Tests.Consume;

/// <summary>The shared pollers over fake consumers: many streams, few threads, one thread per consumer.</summary>
public sealed class ConsumerPollerPoolTests
{
    [Fact]
    public async Task Serve_TwoHundredStreamsOnTwoPollers_EachGetsItsRecordAndEveryConsumerCallStaysOnOnePollerThread()
    {
        using var pool = NewPool(pollers: 2);
        var streams = Enumerable.Range(0, 200).Select(_ => new PumpFixture(start: false)).ToList();
        foreach (var stream in streams)
        {
            pool.Serve(stream.Pump);
        }

        // Records arrive after the streams are served, as on idle sockets that then receive.
        for (var i = 0; i < streams.Count; i++)
        {
            streams[i].Kafka.Add(0, 0, $"record {i}");
        }

        var received = new List<string>[streams.Count];
        for (var i = 0; i < streams.Count; i++)
        {
            received[i] = [];
        }

        await Eventually.TrueAsync(() =>
        {
            for (var i = 0; i < streams.Count; i++)
            {
                received[i].AddRange(streams[i].TakeHandedOver().Select(r => r.Value.StringValue));
            }

            return received.All(r => r.Count == 1);
        }, "every stream to receive its record");

        Assert.All(Enumerable.Range(0, streams.Count), i => Assert.Equal($"record {i}", Assert.Single(received[i])));
        var pollerThreads = pool.Pollers.Select(p => p.ManagedThreadId).ToHashSet();
        Assert.Equal(2, pollerThreads.Count);
        Assert.All(streams, s => Assert.Contains(Assert.Single(s.Kafka.CallingThreads), pollerThreads));
        // Spread over both pollers.
        Assert.All(pool.Pollers, p => Assert.InRange(p.Load, 1, 199));
    }

    [Fact]
    public async Task RequestStop_ServedStream_LeavesItsPollerAndClosesItsConsumerWithTheLastCommitStored()
    {
        using var pool = NewPool(pollers: 1);
        var stream = new PumpFixture(start: false);
        stream.Kafka.Add(0, 0, "v0");
        pool.Serve(stream.Pump);
        await Eventually.TrueAsync(() => stream.Pump.DeliveredCount == 1, "the record to be handed over");

        stream.Commit("last", partition: 0, offset: 0);
        stream.Pump.RequestStop();
        await stream.Pump.Finished.WaitAsync(Eventually.DefaultTimeout);

        Assert.Equal(1, stream.Kafka.CloseCalls);
        Assert.Single(stream.Kafka.Stored);
        await Eventually.TrueAsync(() => pool.Pollers[0].Load == 0, "the poller to let the stream go");
    }

    [Fact]
    public async Task Serve_ClientCommitOnIdleStream_IsAppliedWithoutWaitingForRecords()
    {
        using var pool = NewPool(pollers: 1);
        var stream = new PumpFixture(start: false);
        stream.Kafka.Add(0, 0, "v0");
        pool.Serve(stream.Pump);
        await Eventually.TrueAsync(() => stream.TakeHandedOver().Count == 1, "the record to be handed over");

        stream.Commit("r1", partition: 0, offset: 0);

        // The poller stores the offset, then writes the result: wait for the result, which comes last.
        var notices = new List<KafkaWsProxy.Contracts.V1.ConsumeResponse>();
        await Eventually.TrueAsync(() =>
        {
            notices.AddRange(stream.TakeNotices());
            return notices.Count > 0;
        }, "the commit's result");
        Assert.Equal("r1", Assert.Single(notices).CommitResult.RequestId);
        Assert.Single(stream.Kafka.Stored);
        stream.Pump.RequestStop();
        await stream.Pump.Finished.WaitAsync(Eventually.DefaultTimeout);
    }

    private static ConsumerPollerPool NewPool(int pollers) =>
        new(Options.Create(new ConsumeOptions { Pollers = pollers }), NullLogger<ConsumerPollerPool>.Instance);
}
