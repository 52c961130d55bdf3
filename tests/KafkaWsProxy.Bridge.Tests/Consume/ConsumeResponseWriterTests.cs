using Confluent.Kafka;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Consume;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Tests.Consume;

/// <summary>The stream's writer over a pump fed by a fake consumer.</summary>
public sealed class ConsumeResponseWriterTests
{
    [Fact]
    public async Task WriteAsync_RecordsBeyondMaxBatchBytes_SplitIntoMessagesEachWithinTheLimitInOrder()
    {
        const int MaxBatchBytes = 400;
        var fixture = new PumpFixture();
        for (var offset = 0; offset < 10; offset++)
        {
            fixture.Kafka.Add(0, offset, new string((char)('a' + offset), 100));
        }

        fixture.Pump.Step(TimeSpan.Zero);
        fixture.Pump.Finish();
        var responses = new RecordingResponses();

        await new ConsumeResponseWriter(fixture.Pump, maxRecordsPerMessage: 500, MaxBatchBytes, rateLimiter: null, autoCommit: false)
            .WriteAsync(responses, CancellationToken.None);

        var batches = responses.Written.Where(r => r.KindCase == ConsumeResponse.KindOneofCase.Records).Select(r => r.Records).ToList();
        Assert.True(batches.Count > 1, $"expected several messages, got {batches.Count}");
        Assert.All(batches, b => Assert.InRange(b.CalculateSize(), 1, MaxBatchBytes));
        Assert.Equal(Enumerable.Range(0, 10).Select(o => (long)o), batches.SelectMany(b => b.Records).Select(r => r.Position.Offset));
    }

    [Fact]
    public async Task WriteAsync_RecordReadBeforeItsPartitionWasRevoked_IsNotWrittenButTheNoticeIs()
    {
        var fixture = new PumpFixture();
        fixture.Kafka.Add(0, 0, "v0");
        fixture.Pump.Step(TimeSpan.Zero); // handed to the writer, not yet written
        fixture.Kafka.RevokeOnNextConsume(lost: false, 0);
        fixture.Pump.Step(TimeSpan.Zero);
        fixture.Pump.Finish();
        var responses = new RecordingResponses();

        await new ConsumeResponseWriter(fixture.Pump, 500, 1 << 20, rateLimiter: null, autoCommit: false)
            .WriteAsync(responses, CancellationToken.None);

        var revoked = Assert.Single(responses.Written).Revoked;
        Assert.Equal([0], revoked.Partitions);
    }

    [Fact]
    public async Task WriteAsync_AutoCommit_StoresTheLastWrittenOffsetPerPartition()
    {
        var fixture = new PumpFixture(autoCommit: true);
        fixture.Kafka.AssignNow(1);
        fixture.Kafka.Add(0, 0, "a");
        fixture.Kafka.Add(0, 1, "b");
        fixture.Kafka.Add(1, 7, "c");
        fixture.Pump.Step(TimeSpan.Zero);
        var writer = new ConsumeResponseWriter(fixture.Pump, 500, 1 << 20, rateLimiter: null, autoCommit: true);
        using var stop = new CancellationTokenSource();
        var responses = new RecordingResponses();
        var writing = writer.WriteAsync(responses, stop.Token);

        await Eventually.TrueAsync(() =>
        {
            fixture.Pump.Step(TimeSpan.Zero);
            return fixture.Kafka.Stored.Count >= 2;
        }, "the writer's commits to be stored");

        Assert.Equal(
            [new TopicPartitionOffset("t", 0, 2), new TopicPartitionOffset("t", 1, 8)],
            fixture.Kafka.Stored.OrderBy(s => s.Partition.Value));
        fixture.Pump.RequestStop();
        fixture.Pump.Finish();
        await writing;
    }
}
