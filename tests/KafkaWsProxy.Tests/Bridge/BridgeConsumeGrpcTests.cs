using Grpc.Core;
using Grpc.Net.Client;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Bridge;

/// <summary>The bridge's Consume stream as a gRPC-native client uses it.</summary>
[Collection(ProxyTests.Name)]
public sealed class BridgeConsumeGrpcTests(ProxyFixture proxy) : IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(proxy.Bridge.Address);

    [Fact]
    public async Task Consume_ClientCommits_RecordsDecodedAndCommitResultsAnswered()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 5);
        using var call = new KafkaBridge.KafkaBridgeClient(_channel).Consume();
        await call.RequestStream.WriteAsync(new ConsumeRequest
        {
            Open = new ConsumeOpen { ClientId = "grpc-consumer", Topic = topic, KeyFormat = DataFormat.String },
        });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal("grpc-consumer-group", call.ResponseStream.Current.Opened.GroupId);

        var records = new List<ConsumedRecord>();
        while (records.Count < 5)
        {
            Assert.True(await call.ResponseStream.MoveNext());
            records.AddRange(call.ResponseStream.Current.Records.Records);
        }

        Assert.Equal(["v0", "v1", "v2", "v3", "v4"], records.Select(r => r.Value.StringValue));
        Assert.Equal("k3", records[3].Key.StringValue);

        await call.RequestStream.WriteAsync(new ConsumeRequest
        {
            Commit = new CommitRequest
            {
                RequestId = "c1",
                Offsets = { new CommitOffset { Partition = 0, Offset = 2, TimestampMs = records[2].Position.TimestampMs }, new CommitOffset { Partition = 0, Offset = 99 } },
            },
        });
        Assert.True(await call.ResponseStream.MoveNext());
        var result = call.ResponseStream.Current.CommitResult;

        Assert.Equal("c1", result.RequestId);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(99, failure.Offset);

        // A commit with no_result gets no answer, even when it fails: the next answer is c2's.
        await call.RequestStream.WriteAsync(new ConsumeRequest
        {
            Commit = new CommitRequest { RequestId = "quiet", NoResult = true, Offsets = { new CommitOffset { Partition = 0, Offset = 98 } } },
        });
        await call.RequestStream.WriteAsync(new ConsumeRequest
        {
            Commit = new CommitRequest { RequestId = "c2", Offsets = { new CommitOffset { Partition = 0, Offset = 4 } } },
        });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal("c2", call.ResponseStream.Current.CommitResult.RequestId);
        Assert.Empty(call.ResponseStream.Current.CommitResult.Failures);
        await call.RequestStream.CompleteAsync();
        Assert.False(await call.ResponseStream.MoveNext());
    }

    /// <summary>
    /// auto_commit is for gRPC-native clients (the edge commits what it wrote itself and
    /// always sends false): the bridge commits each batch once it is written to the stream.
    /// </summary>
    [Fact]
    public async Task Consume_AutoCommit_WrittenRecordsAreCommittedForTheGroupWithoutAnyCommitRequest()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        var group = "grpc-auto-" + Guid.NewGuid().ToString("N");
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 5);
        using (var call = new KafkaBridge.KafkaBridgeClient(_channel).Consume())
        {
            await call.RequestStream.WriteAsync(new ConsumeRequest
            {
                Open = new ConsumeOpen { ClientId = "grpc-auto", GroupId = group, Topic = topic, AutoCommit = true },
            });
            Assert.True(await call.ResponseStream.MoveNext());
            var records = 0;
            while (records < 5)
            {
                Assert.True(await call.ResponseStream.MoveNext());
                Assert.NotEqual(ConsumeResponse.KindOneofCase.CommitResult, call.ResponseStream.Current.KindCase);
                records += call.ResponseStream.Current.Records.Records.Count;
            }

            // Ending the call closes the bridge's consumer, which commits what was stored.
            await call.RequestStream.CompleteAsync();
            Assert.False(await call.ResponseStream.MoveNext());
        }

        using var reader = new Confluent.Kafka.ConsumerBuilder<Confluent.Kafka.Ignore, Confluent.Kafka.Ignore>(
            new Confluent.Kafka.ConsumerConfig { BootstrapServers = proxy.Kafka.BootstrapServers, GroupId = group }).Build();
        var committed = reader.Committed([new Confluent.Kafka.TopicPartition(topic, 0)], TimeSpan.FromSeconds(10));

        // Kafka's committed offset is the next record to read: all five were written, so 5.
        Assert.Equal(5, Assert.Single(committed).Offset.Value);
    }

    [Fact]
    public async Task Consume_UnknownTopic_IsNotFound()
    {
        using var call = new KafkaBridge.KafkaBridgeClient(_channel).Consume();
        await call.RequestStream.WriteAsync(new ConsumeRequest { Open = new ConsumeOpen { ClientId = "x", Topic = "missing-" + Guid.NewGuid().ToString("N") } });

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    public void Dispose() => _channel.Dispose();
}
