using System.Threading.RateLimiting;
using KafkaWsProxy.Edge.Configuration;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>What every socket endpoint needs from the host, in one place.</summary>
internal sealed class SocketEndpointServices(
    IOptions<SocketOptions> sockets,
    ISocketCredentials credentials,
    SocketAdmission admission,
    EdgeDrain drain,
    TimeProvider time,
    Telemetry.EdgeMetrics metrics)
{
    public IOptions<SocketOptions> Sockets { get; } = sockets;

    public ISocketCredentials Credentials { get; } = credentials;

    public SocketAdmission Admission { get; } = admission;

    public EdgeDrain Drain { get; } = drain;

    public TimeProvider Time { get; } = time;

    public Telemetry.EdgeMetrics Metrics { get; } = metrics;
}

/// <summary>
/// At most <see cref="SocketOptions.MaxOpenSockets"/> sockets open on this edge
/// (System.Threading.RateLimiting's concurrency limiter; no queue: a socket over
/// the limit is refused with 503 at once).
/// </summary>
internal sealed class SocketAdmission(IOptions<SocketOptions> options) : IDisposable
{
    private readonly RateLimiter _limiter = options.Value.MaxOpenSockets <= 0
        ? new NoLimit()
        : new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = options.Value.MaxOpenSockets, QueueLimit = 0 });

    public ValueTask<RateLimitLease> AcquireAsync(CancellationToken cancellationToken) => _limiter.AcquireAsync(1, cancellationToken);

    public void Dispose() => _limiter.Dispose();

    private sealed class NoLimit : RateLimiter
    {
        public override TimeSpan? IdleDuration => null;

        public override RateLimiterStatistics? GetStatistics() => null;

        protected override RateLimitLease AttemptAcquireCore(int permitCount) => Granted.Instance;

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) => new(Granted.Instance);

        private sealed class Granted : RateLimitLease
        {
            public static readonly Granted Instance = new();

            public override bool IsAcquired => true;

            public override IEnumerable<string> MetadataNames => [];

            public override bool TryGetMetadata(string metadataName, out object? metadata)
            {
                metadata = null;
                return false;
            }
        }
    }
}
