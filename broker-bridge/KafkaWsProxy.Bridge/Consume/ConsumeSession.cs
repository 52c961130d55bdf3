using System.Threading.RateLimiting;
using Confluent.Kafka;
using Grpc.Core;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Logging;
using KafkaWsProxy.Bridge.Telemetry;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>
/// One Consume stream and its own Kafka consumer, in three parts: the
/// <see cref="ConsumerPump"/> (the only one touching the consumer, stepped by one
/// of the bridge's shared <see cref="ConsumerPoller"/>s), the request reader (client commits), and the
/// <see cref="ConsumeResponseWriter"/> (the stream's single writer).
/// </summary>
internal sealed class ConsumeSession : IDisposable
{
    private readonly IStreamConsumer _consumer;
    private readonly ConsumeOpen _open;
    private readonly ConsumerPollerPool _pollers;
    private readonly ConsumerPump _pump;
    private readonly ConsumeResponseWriter _writer;
    private readonly RateLimiter? _rateLimiter;
    private readonly TimeSpan _closeTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    // Set once the pump is handed to a poller: from then on its consumer is closed by
    // the pump's Finish, and disposed only after that Close returned.
    private bool _served;

    public ConsumeSession(
        IStreamConsumer consumer, ConsumerPollerPool pollers, ConsumeOpen open, string groupId, ConsumeOptions options, GrpcOptions grpc, TimeProvider time, ILogger logger)
    {
        _consumer = consumer;
        _open = open;
        _pollers = pollers;
        GroupId = groupId;
        _closeTimeout = options.CloseTimeout;
        _time = time;
        _logger = logger;
        _pump = new ConsumerPump(consumer, open, groupId, options, grpc.MaxBatchBytes, time, logger);
        _rateLimiter = open.MaxRecordsPerSecond > 0 ? ConsumeResponseWriter.CreateRateLimiter(open.MaxRecordsPerSecond) : null;
        _writer = new ConsumeResponseWriter(_pump, options.MaxRecordsPerMessage, grpc.MaxBatchBytes, _rateLimiter, open.AutoCommit);
    }

    public string GroupId { get; }

    /// <summary>What the stream reports to the bridge's metrics.</summary>
    public ConsumerGauges Gauges => _pump.Gauges;

    public long DeliveredCount => _pump.DeliveredCount;

    /// <summary>
    /// The topic's partitions that have no committed offset for this group
    /// (for offsetResetStrategy none). Blocks on Kafka: call before <see cref="RunAsync"/>.
    /// </summary>
    public Task<IReadOnlyList<int>> PartitionsWithoutCommittedOffsetAsync(int partitionCount, TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.Run<IReadOnlyList<int>>(() =>
        {
            var partitions = Enumerable.Range(0, partitionCount).Select(p => new TopicPartition(_open.Topic, p));
            return _consumer.Committed(partitions, timeout)
                .Where(c => c.Offset == Offset.Unset)
                .Select(c => c.Partition.Value)
                .ToList();
        }, cancellationToken);

    /// <param name="superseded">Fired when a newer socket of the same client took the
    /// session over: the stream then ends without waiting for its consumer's Close.</param>
    public async Task RunAsync(
        IAsyncStreamReader<ConsumeRequest> requests,
        IServerStreamWriter<ConsumeResponse> responses,
        CancellationToken cancellationToken,
        CancellationToken superseded = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _served = true;
        _pollers.Serve(_pump);
        var reading = ConsumeRequestReader.ReadAsync(requests, _pump, stop.Token);
        var writing = _writer.WriteAsync(responses, stop.Token);
        try
        {
            // The client ending its requests, a failed write, or a failed pump ends the stream.
            var first = await Task.WhenAny(reading, writing).ConfigureAwait(false);
            await first.ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            _pump.RequestStop();
            if (!superseded.IsCancellationRequested)
            {
                // The consumer is closed (group left, offsets committed) before the call ends,
                // so the same client can rejoin at once; within Consume:CloseTimeout.
                await WaitForCloseAsync().ConfigureAwait(false);
            }

            // Superseded: the newer socket already holds the session, and its client must
            // get its close now (docs/protocol.md §5). Close may block for long: librdkafka
            // can hang when an assignment arrives while the consumer closes, which is what
            // a consumer superseded right after it subscribed runs into. The consumer is
            // still closed on its own thread, and disposed after (see Dispose).
            await Task.WhenAll(reading, writing).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    private async Task WaitForCloseAsync()
    {
        try
        {
            await _pump.Finished.WaitAsync(_closeTimeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            BridgeLog.ConsumerCloseOverdue(_logger, _open.ClientId, _open.Topic, _closeTimeout);
        }
    }

    public void Dispose()
    {
        _rateLimiter?.Dispose();
        if (!_served || _pump.Finished.IsCompleted)
        {
            _consumer.Dispose();
            return;
        }

        // Never disposed while its Close runs: a superseded stream may end before it returned.
        _ = _pump.Finished.ContinueWith(
            static (_, consumer) => ((IStreamConsumer)consumer!).Dispose(),
            _consumer, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
    }
}
