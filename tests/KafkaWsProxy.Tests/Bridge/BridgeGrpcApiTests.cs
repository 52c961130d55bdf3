using Grpc.Core;
using Grpc.Net.Client;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Bridge;

/// <summary>The bridge's gRPC API as an internal gRPC-native client uses it, without the edge.</summary>
[Collection(ProxyTests.Name)]
public sealed class BridgeGrpcApiTests(ProxyFixture proxy) : IDisposable
{
    private readonly GrpcChannel _channel = GrpcChannel.ForAddress(proxy.Bridge.Address);

    private KafkaBridge.KafkaBridgeClient Client => new(_channel);

    [Fact]
    public async Task Produce_BatchOfTypedRecords_ResultsInOrderWithPositions()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        using var call = Client.Produce();
        await call.RequestStream.WriteAsync(new ProduceRequest
        {
            Open = new ProduceOpen { ClientId = "grpc", Topic = topic, KeyFormat = DataFormat.Long, ValueFormat = DataFormat.Bytes },
        });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(1, call.ResponseStream.Current.Opened.PartitionCount);

        var batch = new ProduceBatch();
        for (var i = 0; i < 5; i++)
        {
            batch.Records.Add(new ProduceRecord
            {
                Key = new TypedValue { LongValue = i },
                Value = new TypedValue { BytesValue = Google.Protobuf.ByteString.CopyFrom((byte)i, 0xFF) },
                MessageId = $"r{i}",
            });
        }

        batch.Records.Add(new ProduceRecord { Value = new TypedValue { StringValue = "wrong case" }, MessageId = "bad" });
        await call.RequestStream.WriteAsync(new ProduceRequest { Batch = batch });
        await call.RequestStream.CompleteAsync();

        var results = new List<ProduceResult>();
        while (await call.ResponseStream.MoveNext())
        {
            results.AddRange(call.ResponseStream.Current.Results.Results);
        }

        Assert.Equal(["r0", "r1", "r2", "r3", "r4", "bad"], results.Select(r => r.MessageId));
        Assert.Equal([0L, 1, 2, 3, 4], results.Take(5).Select(r => r.Position.Offset));
        Assert.Equal(RecordErrorCode.InvalidData, results[5].Error.Code);
        var records = await KafkaDirect.ReadAsync(proxy.Kafka.BootstrapServers, topic, 5);
        Assert.Equal(new byte[] { 3, 0xFF }, records[3].Message.Value);
        Assert.Equal(Confluent.Kafka.Serializers.Int64.Serialize(3, Confluent.Kafka.SerializationContext.Empty), records[3].Message.Key);
    }

    [Fact]
    public async Task Produce_ShortOutOfRangeFromGrpcClient_IsInvalidDataNotTruncated()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        using var call = Client.Produce();
        await call.RequestStream.WriteAsync(new ProduceRequest { Open = new ProduceOpen { ClientId = "grpc", Topic = topic, ValueFormat = DataFormat.Short } });
        Assert.True(await call.ResponseStream.MoveNext());
        await call.RequestStream.WriteAsync(new ProduceRequest
        {
            Batch = new ProduceBatch { Records = { new ProduceRecord { Value = new TypedValue { ShortValue = 40_000 } } } },
        });
        Assert.True(await call.ResponseStream.MoveNext());

        var result = Assert.Single(call.ResponseStream.Current.Results.Results);
        Assert.Equal(RecordErrorCode.InvalidData, result.Error.Code);
        Assert.Contains("out of range", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Produce_UnknownTopic_EndsCallWithNotFound()
    {
        using var call = Client.Produce();
        await call.RequestStream.WriteAsync(new ProduceRequest { Open = new ProduceOpen { ClientId = "grpc", Topic = "no-such-topic-" + Guid.NewGuid().ToString("N") } });

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("does not exist", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Produce_FirstMessageNotOpen_IsInvalidArgument()
    {
        using var call = Client.Produce();
        await call.RequestStream.WriteAsync(new ProduceRequest { Batch = new ProduceBatch() });

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task DescribeCluster_ListsTheEmbeddedBroker()
    {
        var cluster = await Client.DescribeClusterAsync(new DescribeClusterRequest());

        var broker = Assert.Single(cluster.Brokers);
        Assert.Equal(proxy.Kafka.BootstrapServers, $"{broker.Host}:{broker.Port}");
    }

    public void Dispose() => _channel.Dispose();
}
