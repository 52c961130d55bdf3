using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using KafkaWsProxy.Edge.Configuration;
using KafkaWsProxy.Edge.Logging;

namespace KafkaWsProxy.Edge.Bridge.Balancing;

/// <summary>
/// Follows one bridge's grpc.health.v1 Watch stream on a connection of its own, with
/// HTTP/2 pings every <see cref="BridgeOptions.HealthKeepAlive"/>. The bridge is healthy
/// only while its latest answer is SERVING: a NOT_SERVING answer (it drains, or it
/// cannot reach Kafka), an ended stream, a failed connection or an unanswered ping make
/// it unhealthy at once. The watch is started again after <see cref="BridgeOptions.HealthRetryDelay"/>.
/// </summary>
internal sealed class BridgeHealthWatch : IAsyncDisposable
{
    private readonly GrpcChannel _channel;
    private readonly BridgeOptions _options;
    private readonly Action _onChange;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watching;
    private readonly string _name;
    private int _health; // 0: no answer yet, 1: healthy, 2: unhealthy

    public BridgeHealthWatch(BalancerAddress address, bool tls, BridgeOptions options, Action onChange, ILogger logger)
    {
        Address = address;
        _name = NameOf(address);
        _options = options;
        _onChange = onChange;
        _logger = logger;
        var scheme = tls ? Uri.UriSchemeHttps : Uri.UriSchemeHttp;
        _channel = GrpcChannel.ForAddress($"{scheme}://{_name}", new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = options.ConnectTimeout,
                KeepAlivePingDelay = options.HealthKeepAlive,
                KeepAlivePingTimeout = options.HealthKeepAlive,
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                SslOptions = BridgeTls.CreateClientOptions(options),
            },
        });
        _watching = Task.Run(() => WatchAsync(_stop.Token));
    }

    public BalancerAddress Address { get; }

    /// <summary>host:port of a bridge, as logged and as compared.</summary>
    public static string NameOf(BalancerAddress address) => $"{address.EndPoint.Host}:{address.EndPoint.Port}";

    /// <summary>Null until the bridge's first answer (or failure).</summary>
    public bool? Healthy => Volatile.Read(ref _health) switch { 0 => null, 1 => true, _ => false };

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        var client = new Grpc.Health.V1.Health.HealthClient(_channel);
        while (!cancellationToken.IsCancellationRequested)
        {
            var reason = "the health watch ended";
            try
            {
                using var call = client.Watch(new HealthCheckRequest(), cancellationToken: cancellationToken);
                await foreach (var reply in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    Report(reply.Status == HealthCheckResponse.Types.ServingStatus.Serving, reply.Status.ToString());
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unimplemented)
            {
                // A bridge without the health service: gRPC's health-checking rule says treat it as healthy.
                Report(true, "no health service");
                return;
            }
            catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
            {
                reason = $"{e.StatusCode} {e.Status.Detail}";
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            Report(false, reason);
            try
            {
                await Task.Delay(_options.HealthRetryDelay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Report(bool healthy, string detail)
    {
        var health = healthy ? 1 : 2;
        if (Interlocked.Exchange(ref _health, health) != health)
        {
            EdgeLog.BridgeHealthChanged(_logger, _name, healthy ? "healthy" : "unhealthy", detail);
            _onChange();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _watching.ConfigureAwait(false);
        _stop.Dispose();
        _channel.Dispose();
    }
}
