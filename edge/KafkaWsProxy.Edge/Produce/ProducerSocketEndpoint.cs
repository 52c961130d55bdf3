using System.Net.WebSockets;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Bridge;
using KafkaWsProxy.Edge.Configuration;
using KafkaWsProxy.Edge.Sockets;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Edge.Produce;

/// <summary>GET /socket/in (docs/protocol.md §4).</summary>
internal sealed class ProducerSocketEndpoint(
    BridgeStreamOpener bridge,
    IOptions<BridgeOptions> bridgeOptions,
    SocketEndpointServices services,
    ILogger<ProducerSocketEndpoint> logger)
    : ProxySocketEndpoint<ProduceOpen, OpenedStream<ProduceRequest, ProduceResponse>>(services, logger)
{
    public const string RoutePath = "/socket/in";

    protected override string Path => RoutePath;

    protected override bool AnswersEveryFrame => true;

    protected override ProduceOpen Parse(IQueryCollection query) => ProducerSocketRequest.Parse(query);

    protected override (string ClientId, string Topic) Describe(ProduceOpen settings) => (settings.ClientId, settings.Topic);

    protected override void UseCredentials(ProduceOpen settings, KafkaCredentials credentials) => settings.Credentials = credentials;

    protected override Task<OpenedStream<ProduceRequest, ProduceResponse>> OpenStreamAsync(ProduceOpen settings, CancellationToken streamLifetime) =>
        bridge.OpenProduceAsync(settings, streamLifetime);

    protected override Task<SocketEnd> RunSessionAsync(
        WebSocket socket, IOutputBatching output, OpenedStream<ProduceRequest, ProduceResponse> stream, ProduceOpen settings,
        SocketEndRequest endRequest, CancellationToken connectionAborted) =>
        new ProducerSocketSession(
                socket, output, stream.Call, new ProduceFrameParser(settings.KeyFormat, settings.ValueFormat), Options,
                new BridgeMessageBudget(bridgeOptions.Value.MaxMessageBytes))
            .RunAsync(endRequest, connectionAborted);
}
