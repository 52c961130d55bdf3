using System.Threading.RateLimiting;
using KafkaWsProxy.Bridge.Configuration;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Bridge.Produce;

/// <summary>
/// Messages per second per clientId, shared by every stream of that client on
/// this bridge. A stream over its rate waits for a permit before it reads its
/// next record, which back-pressures the socket; nothing is dropped.
/// </summary>
internal sealed class ProducerRateLimits(IOptions<ProduceOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(clientId =>
    {
        var perSecond = options.Value.MessagesPerSecondFor(clientId);
        return perSecond <= 0
            ? RateLimitPartition.GetNoLimiter(clientId)
            : RateLimitPartition.GetTokenBucketLimiter(clientId, _ => Smooth(perSecond));
    });

    public bool IsLimited(string clientId) => options.Value.MessagesPerSecondFor(clientId) > 0;

    /// <summary>Waits until the client may send one more record.</summary>
    public async ValueTask WaitAsync(string clientId, CancellationToken cancellationToken)
    {
        using var lease = await _limiter.AcquireAsync(clientId, 1, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A tenth of the rate every 100 ms, rather than the whole second's worth at once.</summary>
    private static TokenBucketRateLimiterOptions Smooth(int perSecond)
    {
        var perTick = Math.Max(1, perSecond / 10);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = perTick,
            TokensPerPeriod = perTick,
            ReplenishmentPeriod = TimeSpan.FromSeconds((double)perTick / perSecond),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        };
    }

    public void Dispose() => _limiter.Dispose();
}
