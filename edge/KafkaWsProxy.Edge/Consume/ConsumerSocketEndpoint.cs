using System.Net.WebSockets;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Bridge;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>GET /socket/out (docs/protocol.md §5).</summary>
internal sealed class ConsumerSocketEndpoint(
    BridgeStreamOpener bridge,
    SocketEndpointServices services,
    ILogger<ConsumerSocketEndpoint> logger)
    : ProxySocketEndpoint<ConsumerSocketSettings, ConsumeRequest, ConsumeResponse>(services, logger)
{
    public const string RoutePath = "/socket/out";

    protected override string Path => RoutePath;

    protected override ConsumerSocketSettings Parse(IQueryCollection query) =>
        ConsumerSocketRequest.Parse(query).WithCommitCap(Options.AutoCommitMaxUncommitted);

    protected override (string ClientId, string Topic) Describe(ConsumerSocketSettings settings) =>
        (settings.Open.ClientId, settings.Open.Topic);

    protected override void UseCredentials(ConsumerSocketSettings settings, KafkaCredentials credentials) => settings.Open.Credentials = credentials;

    protected override Task<OpenedStream<ConsumeRequest, ConsumeResponse>> OpenStreamAsync(
        ConsumerSocketSettings settings, CancellationToken streamLifetime) =>
        bridge.OpenConsumeAsync(settings.Open, streamLifetime);

    protected override Task<SocketEnd> RunSessionAsync(
        WebSocket socket, IOutputBatching output, OpenedStream<ConsumeRequest, ConsumeResponse> stream, ConsumerSocketSettings settings,
        SocketEndRequest endRequest, CancellationToken connectionAborted) =>
        new ConsumerSocketSession(socket, output, stream.Call, settings, Options, stream.Opened.Opened, logger).RunAsync(endRequest, connectionAborted);
}
