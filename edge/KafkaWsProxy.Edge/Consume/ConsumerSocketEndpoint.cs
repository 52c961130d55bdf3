using System.Net.WebSockets;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Bridge;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>GET /socket/out (docs/protocol.md §5).</summary>
internal sealed class ConsumerSocketEndpoint(
    BridgeStreamOpener bridge,
    BroadcastFanOuts broadcasts,
    SocketEndpointServices services,
    ILogger<ConsumerSocketEndpoint> logger)
    : ProxySocketEndpoint<ConsumerSocketSettings, ConsumeStream>(services, logger)
{
    public const string RoutePath = "/socket/out";

    protected override string Path => RoutePath;

    protected override ConsumerSocketSettings Parse(IQueryCollection query) =>
        ConsumerSocketRequest.Parse(query).WithCommitCap(Options.AutoCommitMaxUncommitted);

    protected override (string ClientId, string Topic) Describe(ConsumerSocketSettings settings) =>
        (settings.Open.ClientId, settings.Open.Topic);

    protected override void UseCredentials(ConsumerSocketSettings settings, KafkaCredentials credentials) => settings.Open.Credentials = credentials;

    /// <summary>A broadcast socket at the live end shares its edge's stream (docs/protocol.md §5.1); any other opens its own.</summary>
    protected override async Task<ConsumeStream> OpenStreamAsync(ConsumerSocketSettings settings, CancellationToken streamLifetime) =>
        broadcasts.Shares(settings)
            ? new SharedConsumeStream(await broadcasts.JoinAsync(settings, streamLifetime).ConfigureAwait(false))
            : new OwnConsumeStream(await bridge.OpenConsumeAsync(settings.Open, streamLifetime).ConfigureAwait(false));

    protected override Task<SocketEnd> RunSessionAsync(
        WebSocket socket, IOutputBatching output, ConsumeStream stream, ConsumerSocketSettings settings,
        SocketEndRequest endRequest, CancellationToken connectionAborted) =>
        stream switch
        {
            SharedConsumeStream shared => new SharedBroadcastSession(socket, output, shared.Share, settings, Options)
                .RunAsync(endRequest, connectionAborted),
            OwnConsumeStream own => new ConsumerSocketSession(socket, output, own.Stream.Call, settings, Options, own.Stream.Opened.Opened, logger)
                .RunAsync(endRequest, connectionAborted),
            _ => throw new ArgumentOutOfRangeException(nameof(stream)),
        };
}
