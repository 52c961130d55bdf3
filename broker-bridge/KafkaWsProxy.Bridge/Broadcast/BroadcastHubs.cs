using Confluent.Kafka;
using Grpc.Core;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Consume;
using KafkaWsProxy.Bridge.Kafka;
using KafkaWsProxy.Bridge.Telemetry;
using KafkaWsProxy.Contracts.V1;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Bridge.Broadcast;

/// <summary>
/// The shared consumers of this bridge's broadcast streams, by <see cref="BroadcastKey"/>
/// (docs/protocol.md §5.1). The first stream of a key starts its consumer; the last one to
/// leave closes and disposes it. Every refusal is an <see cref="RpcException"/> with the
/// status the contract names.
/// </summary>
internal sealed class BroadcastHubs(
    KafkaClientConfigFactory configs,
    KafkaClientFactory clients,
    TopicCatalog topics,
    CredentialVerifier credentials,
    IOptions<BroadcastOptions> options,
    IOptions<GrpcOptions> grpcOptions,
    IOptions<KafkaOptions> kafkaOptions,
    BridgeMetrics metrics,
    ILogger<BroadcastHub> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<BroadcastKey, Entry> _hubs = [];

    /// <summary>Joins the stream to its key's consumer, starting that consumer if it is the first.</summary>
    public async Task<BroadcastSubscription> JoinAsync(ConsumeOpen open, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(open.Topic))
        {
            throw Refuse(StatusCode.InvalidArgument, "Request param 'topic' is missing.");
        }

        if (string.IsNullOrWhiteSpace(open.ClientId))
        {
            throw Refuse(StatusCode.InvalidArgument, "Request param 'clientId' is missing.");
        }

        var partitions = await PartitionCountAsync(open.Topic, cancellationToken).ConfigureAwait(false)
            ?? throw Refuse(StatusCode.NotFound, $"Topic {open.Topic} does not exist");
        if (BroadcastStart.Validate(open, partitions) is { } invalid)
        {
            throw Refuse(StatusCode.InvalidArgument, invalid);
        }

        await credentials.VerifyAsync(open.Credentials, open.Topic, cancellationToken).ConfigureAwait(false);
        var key = BroadcastKey.For(open);
        Entry entry;
        lock (_gate)
        {
            if (!_hubs.TryGetValue(key, out entry!))
            {
                // Not the first stream's token: the consumer outlives the stream that started it.
                entry = new Entry(Task.Run(() => StartHub(key, open, partitions), CancellationToken.None));
                _hubs[key] = entry;
            }

            entry.Streams++;
        }

        try
        {
            var hub = await entry.Hub.WaitAsync(cancellationToken).ConfigureAwait(false);
            var subscriber = hub.Subscribe(options.Value.BufferedRecordsPerStream);
            return new BroadcastSubscription(this, key, entry, hub, subscriber);
        }
        catch
        {
            await LeaveAsync(key, entry).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<int?> PartitionCountAsync(string topic, CancellationToken cancellationToken)
    {
        try
        {
            return await topics.GetPartitionCountAsync(topic, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            throw KafkaErrorMapping.ToRpcException(e, $"Could not check topic {topic}");
        }
    }

    private BroadcastHub StartHub(BroadcastKey key, ConsumeOpen open, int partitions)
    {
        var records = new ConsumedRecordFactory(key.KeyFormat, key.ValueFormat, grpcOptions.Value.MaxBatchBytes);
        try
        {
            var hub = BroadcastHub.Start(
                key, open, partitions, clients, configs.CreateBroadcastConsumerConfig(key.Isolation, open.Credentials), records,
                options.Value, kafkaOptions.Value.MetadataTimeout, token => topics.GetPartitionCountAsync(key.Topic, token), logger);
            metrics.BroadcastConsumerOpened();
            return hub;
        }
        catch (KafkaException e)
        {
            throw KafkaErrorMapping.ToRpcException(e, $"Could not start reading {key.Topic}");
        }
    }

    /// <summary>One stream of the entry is gone; the last one closes the consumer.</summary>
    internal async ValueTask LeaveAsync(BroadcastKey key, Entry entry)
    {
        lock (_gate)
        {
            if (--entry.Streams > 0)
            {
                return;
            }

            _hubs.Remove(key);
        }

        BroadcastHub hub;
        try
        {
            // A consumer still starting (its only stream gave up waiting) is closed once it is up.
            hub = await entry.Hub.ConfigureAwait(false);
        }
        catch (RpcException)
        {
            // It never started: nothing to release; the streams that waited for it were refused.
            return;
        }

        await hub.DisposeAsync().ConfigureAwait(false);
        metrics.BroadcastConsumerClosed();
    }

    private static RpcException Refuse(StatusCode code, string message) => new(new Status(code, message));

    internal sealed class Entry(Task<BroadcastHub> hub)
    {
        public Task<BroadcastHub> Hub { get; } = hub;

        // Guarded by the registry's gate.
        public int Streams { get; set; }
    }
}
