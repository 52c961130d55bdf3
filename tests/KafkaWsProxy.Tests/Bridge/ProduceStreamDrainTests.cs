extern alias BridgeAssembly;

using BridgeAssembly::KafkaWsProxy.Bridge.Configuration;
using BridgeAssembly::KafkaWsProxy.Bridge.Produce;
using BridgeAssembly::KafkaWsProxy.Bridge.Telemetry;
using Confluent.Kafka;
using Grpc.Core;
using KafkaWsProxy.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using BridgeContracts = BridgeAssembly::KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Tests.Bridge;

/// <summary>
/// A drain that begins while a record is being taken: the record is either answered or not
/// sent to Kafka at all — never in Kafka without an answer (a fresh-clone run caught that race:
/// the record was produced, then its place among the results was refused by the drain).
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class ProduceStreamDrainTests(ProxyFixture proxy)
{
    [Fact]
    public async Task DrainBeginsAsARecordIsTaken_EveryRecordInKafkaIsAnswered()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = proxy.Kafka.BootstrapServers,
            Acks = Acks.All,
        }).Build();
        var options = new ProduceOptions();
        using var rateLimits = new ProducerRateLimits(Options.Create(options));
        var open = new BridgeContracts.ProduceOpen { Topic = topic, ClientId = "drain-race", ValueFormat = BridgeContracts.DataFormat.String };
        using var meters = new TestMeterFactory();
        using var stream = new ProduceStream(producer, open, options, new GrpcOptions(), rateLimits, new BridgeMetrics(meters));
        using var drain = new CancellationTokenSource();
        var responses = new CollectingWriter();

        // The drain begins the moment the batch is handed over, before the record is taken.
        await stream.RunAsync(new OneBatchThenDrain(drain, "r1"), responses, drain.Token, CancellationToken.None);
        producer.Flush(TimeSpan.FromSeconds(10));

        var answered = responses.Results.Count(r => r.OutcomeCase == BridgeContracts.ProduceResult.OutcomeOneofCase.Position);
        Assert.Equal(answered, await KafkaDirect.CountAsync(proxy.Kafka.BootstrapServers, topic));
    }

    private sealed class OneBatchThenDrain(CancellationTokenSource drain, string messageId) : IAsyncStreamReader<BridgeContracts.ProduceRequest>
    {
        private bool _sent;

        public BridgeContracts.ProduceRequest Current { get; private set; } = new();

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (_sent)
            {
                cancellationToken.ThrowIfCancellationRequested();
                return false;
            }

            _sent = true;
            await drain.CancelAsync();
            Current = new BridgeContracts.ProduceRequest
            {
                Batch = new BridgeContracts.ProduceBatch
                {
                    Records = { new BridgeContracts.ProduceRecord { MessageId = messageId, Value = new BridgeContracts.TypedValue { StringValue = "v" } } },
                },
            };
            return true;
        }
    }

    private sealed class CollectingWriter : IServerStreamWriter<BridgeContracts.ProduceResponse>
    {
        public List<BridgeContracts.ProduceResult> Results { get; } = [];

        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(BridgeContracts.ProduceResponse message)
        {
            Results.AddRange(message.Results.Results);
            return Task.CompletedTask;
        }
    }
}
