using Grpc.Net.Client;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Bridge.Balancing;
using KafkaWsProxy.Edge.Configuration;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Edge.Bridge;

/// <summary>One gRPC channel to the bridges, shared by every socket of this edge.</summary>
internal static class BridgeClientRegistration
{
    public static IServiceCollection AddBridgeClient(this IServiceCollection services)
    {
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<BridgeOptions>>().Value;
            var handler = new SocketsHttpHandler
            {
                // Each socket is one HTTP/2 stream; open more connections past the
                // server's concurrent-stream limit instead of queueing sockets.
                EnableMultipleHttp2Connections = true,
                ConnectTimeout = options.ConnectTimeout,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                KeepAlivePingDelay = TimeSpan.FromSeconds(30),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
                SslOptions = BridgeTls.CreateClientOptions(options),
            };
            return BridgeChannelFactory.Create(options, new GrpcChannelOptions
            {
                HttpHandler = handler,
                // The bridge's Grpc:MaxMessageBytes is the same number: record batches are cut to fit it.
                MaxSendMessageSize = options.MaxMessageBytes,
                MaxReceiveMessageSize = options.MaxMessageBytes,
                LoggerFactory = provider.GetRequiredService<ILoggerFactory>(),
            }, provider.GetRequiredService<ILoggerFactory>());
        });
        services.AddSingleton(provider => new KafkaBridge.KafkaBridgeClient(provider.GetRequiredService<GrpcChannel>()));
        services.AddSingleton<BridgeStreamOpener>();
        services.AddHostedService<BridgeChannelWarmUp>();
        return services;
    }
}
