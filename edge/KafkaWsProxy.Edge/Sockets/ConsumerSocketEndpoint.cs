using System.Net.WebSockets;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Bridge;
using KafkaWsProxy.Edge.Configuration;
using KafkaWsProxy.Edge.Consume;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>GET /socket/out (spec §5).</summary>
internal sealed class ConsumerSocketEndpoint(
    BridgeStreamOpener bridge,
    IOptions<SocketOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<ConsumerSocketEndpoint> logger)
    : ProxySocketEndpoint<ConsumerSocketSettings, ConsumeRequest, ConsumeResponse>(options, lifetime, logger)
{
    public const string RoutePath = "/socket/out";

    protected override string Path => RoutePath;

    protected override ConsumerSocketSettings Parse(IQueryCollection query) => ConsumerSocketRequest.Parse(query);

    protected override (string ClientId, string Topic) Describe(ConsumerSocketSettings settings) =>
        (settings.Open.ClientId, settings.Open.Topic);

    protected override Task<OpenedStream<ConsumeRequest, ConsumeResponse>> OpenStreamAsync(
        ConsumerSocketSettings settings, CancellationToken streamLifetime) =>
        bridge.OpenConsumeAsync(settings.Open, streamLifetime);

    protected override Task<SocketEnd> RunSessionAsync(
        WebSocket socket, OpenedStream<ConsumeRequest, ConsumeResponse> stream, ConsumerSocketSettings settings,
        CancellationToken connectionAborted, CancellationToken serverStopping) =>
        new ConsumerSocketSession(socket, stream.Call, settings, Options).RunAsync(connectionAborted, serverStopping);
}
