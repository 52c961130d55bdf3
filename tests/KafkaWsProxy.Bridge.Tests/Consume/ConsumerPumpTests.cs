using Confluent.Kafka;
using Grpc.Core;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Tests.Consume;

/// <summary>
/// The Kafka side of a Consume stream, step by step, over a fake consumer: what
/// the embedded broker cannot show deterministically (the exact moment of a pause,
/// of a rebalance inside a poll, of a lost assignment).
/// </summary>
public sealed class ConsumerPumpTests
{
    private static readonly TimeSpan NoWait = TimeSpan.Zero;

    [Fact]
    public void Step_WriterFallsBehindLongerThanPauseAfterStall_PausesAssignmentThenResumesWhenWriterTakes()
    {
        var fixture = new PumpFixture(new ConsumeOptions
        {
            BufferedRecordsPerStream = 1,
            MaxRecordsPerMessage = 1,
            PauseAfterStall = TimeSpan.FromSeconds(1),
        });
        for (var offset = 0; offset < 3; offset++)
        {
            fixture.Kafka.Add(0, offset, $"v{offset}");
        }

        fixture.Pump.Step(NoWait); // offset 0 fills the buffer
        fixture.Pump.Step(NoWait); // offset 1 waits: no room
        fixture.Pump.Step(NoWait);
        Assert.True(fixture.Pump.HasNoRoom);
        Assert.Empty(fixture.Kafka.Paused);

        fixture.Time.Advance(TimeSpan.FromSeconds(1));
        fixture.Pump.Step(NoWait);
        Assert.Equal([0], fixture.Kafka.Paused);
        Assert.Equal(1, fixture.Pump.Gauges.PausedPartitions);

        Assert.Single(fixture.TakeHandedOver());
        fixture.Pump.Step(NoWait);
        Assert.Empty(fixture.Kafka.Paused);
        Assert.Equal(0, fixture.Pump.Gauges.PausedPartitions);
    }

    [Fact]
    public void Step_UncommittedCapReached_ReadsNoMoreUntilTheClientCommits()
    {
        var fixture = new PumpFixture(maxUncommitted: 2);
        for (var offset = 0; offset < 4; offset++)
        {
            fixture.Kafka.Add(0, offset, $"v{offset}");
        }

        for (var i = 0; i < 3; i++)
        {
            fixture.Pump.Step(NoWait);
        }

        Assert.Equal([0L, 1L], fixture.TakeHandedOver().Select(r => r.Position.Offset));
        Assert.True(fixture.Pump.HasNoRoom);

        fixture.Commit("r1", partition: 0, offset: 1);
        fixture.Pump.Step(NoWait);

        var result = Assert.Single(fixture.TakeNotices()).CommitResult;
        Assert.Equal("r1", result.RequestId);
        Assert.Empty(result.Failures);
        // Kafka's committed offset is the next record to read.
        Assert.Equal(new TopicPartitionOffset("t", 0, 2), Assert.Single(fixture.Kafka.Stored));
        Assert.Equal([2L, 3L], fixture.TakeHandedOver().Select(r => r.Position.Offset));
    }

    [Fact]
    public void Step_CommitOfUndeliveredOffsetOrUnassignedPartition_AnswersFailuresAndStoresNothing()
    {
        var fixture = new PumpFixture();
        fixture.Kafka.Add(0, 0, "v0");
        fixture.Pump.Step(NoWait);

        fixture.Commit("undelivered", partition: 0, offset: 5);
        fixture.Commit("unassigned", partition: 3, offset: 0);
        fixture.Pump.Step(NoWait);

        var results = fixture.TakeNotices().Select(n => n.CommitResult).ToList();
        Assert.Contains("No record at offset 5", Assert.Single(results.Single(r => r.RequestId == "undelivered").Failures).Message);
        Assert.Contains("not assigned", Assert.Single(results.Single(r => r.RequestId == "unassigned").Failures).Message);
        Assert.Empty(fixture.Kafka.Stored);
    }

    [Fact]
    public void Step_PartitionRevokedInsidePoll_CommitsStoredOffsetsFirstDropsItsWaitingRecordsAndTellsTheClient()
    {
        var fixture = new PumpFixture(new ConsumeOptions { BufferedRecordsPerStream = 1, MaxRecordsPerMessage = 1, PauseAfterStall = TimeSpan.Zero });
        fixture.Kafka.AssignNow(1);
        fixture.Kafka.Add(0, 0, "p0");
        fixture.Kafka.Add(1, 0, "p1");
        fixture.Pump.Step(NoWait); // p0 handed over
        fixture.Pump.Step(NoWait); // p1 waits for room
        Assert.True(fixture.Pump.HasNoRoom);

        fixture.Commit("r1", partition: 0, offset: 0);
        fixture.Kafka.RevokeOnNextConsume(lost: false, 1);
        // Applies the commit, pauses (no room, PauseAfterStall zero), and polls while paused: the rebalance runs inside.
        fixture.Pump.Step(NoWait);

        Assert.Equal(1, fixture.Kafka.CommitCalls);
        Assert.Equal(new TopicPartitionOffset("t", 0, 1), Assert.Single(fixture.Kafka.CommittedAtLastCommit));
        Assert.Contains(fixture.TakeNotices(), n => n.KindCase == ConsumeResponse.KindOneofCase.Revoked && n.Revoked.Partitions.SequenceEqual([1]));
        Assert.False(fixture.Pump.Partitions.IsAssigned(1));
        Assert.False(fixture.Pump.HasNoRoom);

        Assert.Equal(["p0"], fixture.TakeHandedOver().Select(r => r.Value.StringValue));
        fixture.Pump.Step(NoWait);
        Assert.Empty(fixture.TakeHandedOver());
    }

    [Fact]
    public void Step_PartitionsLost_CommitsNothingButTellsTheClient()
    {
        var fixture = new PumpFixture();
        fixture.Kafka.Add(0, 0, "v0");
        fixture.Pump.Step(NoWait);
        fixture.Kafka.RevokeOnNextConsume(lost: true, 0);
        fixture.Pump.Step(NoWait);

        Assert.Equal(0, fixture.Kafka.CommitCalls);
        Assert.Contains(fixture.TakeNotices(), n => n.KindCase == ConsumeResponse.KindOneofCase.Revoked);
        // The lost partition's delivered records no longer count against the cap.
        Assert.Equal(0, fixture.Pump.Gauges.Uncommitted);
    }

    [Fact]
    public async Task Finish_AfterNoOffsetFailure_ClosesConsumerAndEndsRecordsWithFailedPrecondition()
    {
        var fixture = new PumpFixture();
        fixture.Kafka.FailNextConsume = () => new ConsumeException(
            new ConsumeResult<byte[], byte[]>(), new Error(ErrorCode.Local_NoOffset));

        fixture.Pump.Step(NoWait);
        Assert.True(fixture.Pump.IsDone);
        fixture.Pump.Finish();

        Assert.Equal(1, fixture.Kafka.CloseCalls);
        var failure = await Assert.ThrowsAsync<RpcException>(() => fixture.Pump.Records.Completion);
        Assert.Equal(StatusCode.FailedPrecondition, failure.StatusCode);
        Assert.True(fixture.Pump.Finished.IsCompleted);
    }

    [Fact]
    public void Finish_CommitsTheClientSentBeforeLeaving_AreStoredBeforeTheConsumerCloses()
    {
        var fixture = new PumpFixture();
        fixture.Kafka.Add(0, 0, "v0");
        fixture.Pump.Step(NoWait);
        fixture.Commit("last", partition: 0, offset: 0);
        fixture.Pump.RequestStop();

        fixture.Pump.Finish();

        Assert.Equal(new TopicPartitionOffset("t", 0, 1), Assert.Single(fixture.Kafka.Stored));
        Assert.Equal(1, fixture.Kafka.CloseCalls);
    }
}
