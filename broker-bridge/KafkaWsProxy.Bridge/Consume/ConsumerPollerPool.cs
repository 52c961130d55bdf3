using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Logging;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>
/// The bridge's few poller threads (<see cref="ConsumeOptions.Pollers"/>) that serve
/// every Consume stream, so a stream costs no thread of the bridge's own (librdkafka
/// still runs its own threads per consumer). A new stream goes to the least loaded poller.
/// </summary>
internal sealed class ConsumerPollerPool : IDisposable
{
    private readonly ConsumerPoller[] _pollers;

    public ConsumerPollerPool(IOptions<ConsumeOptions> options, ILogger<ConsumerPollerPool> logger)
    {
        var count = options.Value.PollerCount;
        _pollers = new ConsumerPoller[count];
        for (var i = 0; i < count; i++)
        {
            _pollers[i] = new ConsumerPoller(i, options.Value.PollerIdleBackoff, logger);
        }

        BridgeLog.ConsumerPollersStarted(logger, count, options.Value.PollerIdleBackoff.TotalMilliseconds);
    }

    public IReadOnlyList<ConsumerPoller> Pollers => _pollers;

    /// <summary>Starts serving the pump; <see cref="ConsumerPump.RequestStop"/> ends it and <see cref="ConsumerPump.Finished"/> tells when its consumer is closed.</summary>
    public void Serve(ConsumerPump pump) => _pollers.MinBy(p => p.Load)!.Serve(pump);

    public void Dispose()
    {
        foreach (var poller in _pollers)
        {
            poller.Dispose();
        }
    }
}
