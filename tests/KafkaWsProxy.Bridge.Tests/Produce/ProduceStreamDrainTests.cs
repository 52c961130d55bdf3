using Confluent.Kafka;
using Grpc.Core;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Produce;
using KafkaWsProxy.Bridge.Telemetry;
using KafkaWsProxy.EmbeddedKafka;
using Microsoft.Extensions.Options;
using BridgeContracts = KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Tests.Produce;

/// <summary>
/// A drain that begins while a record is being taken: the record is either answered or not
/// sent to Kafka at all — never in Kafka without an answer (a fresh-clone run caught that race:
/// the record was produced, then its place among the results was refused by the drain).
/// </summary>
public sealed class ProduceStreamDrainTests
{
    [Fact]
    public async Task DrainBeginsAsARecordIsTaken_EveryRecordInKafkaIsAnswered()
    {
        using var kafka = new EmbeddedKafkaCluster();
        const string topic = "drain-race";
        kafka.CreateTopic(topic, 1);
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
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
        Assert.Equal(answered, await KafkaDirect.CountAsync(kafka.BootstrapServers, topic));
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
