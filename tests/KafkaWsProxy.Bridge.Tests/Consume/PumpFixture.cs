using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Consume;
using KafkaWsProxy.Contracts.V1;
using Microsoft.Extensions.Logging.Abstractions;

namespace KafkaWsProxy.Bridge.Tests.Consume;

/// <summary>A <see cref="ConsumerPump"/> over a <see cref="FakeStreamConsumer"/> that owns partition 0 of topic "t".</summary>
internal sealed class PumpFixture
{
    public PumpFixture(ConsumeOptions? options = null, uint maxUncommitted = 0, bool autoCommit = false, int maxRecordBytes = 1 << 20, bool start = true)
    {
        Options = options ?? new ConsumeOptions();
        Open = new ConsumeOpen
        {
            Topic = "t",
            ClientId = "c",
            ValueFormat = DataFormat.String,
            MaxUncommitted = maxUncommitted,
            AutoCommit = autoCommit,
        };
        Pump = new ConsumerPump(Kafka, Open, "g", Options, maxRecordBytes, Time, NullLogger.Instance);
        if (start)
        {
            // A poller starts the pump itself, on its own thread.
            Pump.Start();
        }

        Kafka.AssignNow(0);
    }

    public FakeStreamConsumer Kafka { get; } = new();

    public ManualTime Time { get; } = new();

    public ConsumeOptions Options { get; }

    public ConsumeOpen Open { get; }

    public ConsumerPump Pump { get; }

    /// <summary>Takes every chunk the pump handed to the writer.</summary>
    public List<ConsumedRecord> TakeHandedOver()
    {
        var taken = new List<ConsumedRecord>();
        while (Pump.Records.TryRead(out var chunk))
        {
            taken.AddRange(chunk.Select(b => b.Record));
        }

        return taken;
    }

    public List<ConsumeResponse> TakeNotices()
    {
        var notices = new List<ConsumeResponse>();
        while (Pump.Notices.TryRead(out var notice))
        {
            notices.Add(notice);
        }

        return notices;
    }

    public void Commit(string requestId, int partition, long offset)
    {
        var request = new CommitRequest { RequestId = requestId };
        request.Offsets.Add(new CommitOffset { Partition = partition, Offset = offset });
        Pump.Enqueue(new CommitCommand(request, WantsResult: true));
    }
}
