using Grpc.Core;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Bridge;
using KafkaWsProxy.Edge.Configuration;
using KafkaWsProxy.Edge.Http;
using KafkaWsProxy.Edge.Logging;
using KafkaWsProxy.Edge.Produce;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>
/// GET /socket/in (spec §4): validate, open the bridge stream, and only then
/// accept the upgrade, so that every refusal is an HTTP JSON answer.
/// </summary>
internal sealed class ProducerSocketEndpoint(
    BridgeStreamOpener bridge,
    IOptions<SocketOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<ProducerSocketEndpoint> logger)
{
    public const string Path = "/socket/in";

    public async Task HandleAsync(HttpContext context)
    {
        if (SocketRequests.CheckUpgrade(context) is { } refusal)
        {
            await JsonResponses.WriteErrorAsync(context, refusal.StatusCode, refusal.Message).ConfigureAwait(false);
            return;
        }

        ProduceOpen open;
        try
        {
            open = ProducerSocketRequest.Parse(context.Request.Query);
        }
        catch (RequestValidationException e)
        {
            await RefuseAsync(context, SocketRequests.ClientIdForLog(context), e.StatusCode, e.Message).ConfigureAwait(false);
            return;
        }

        // The stream lives as long as this request; it is cancelled when the session ends.
        using var streamLifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        OpenedStream<ProduceRequest, ProduceResponse> stream;
        try
        {
            stream = await bridge.OpenProduceAsync(open, streamLifetime.Token).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            if (BridgeStatusMapping.IsLocalFailure(e))
            {
                EdgeLog.BridgeUnreachable(logger, e.Status.Detail);
            }

            await RefuseAsync(context, open.ClientId, BridgeStatusMapping.ToHttpStatus(e.StatusCode), BridgeStatusMapping.ToHttpMessage(e))
                .ConfigureAwait(false);
            return;
        }

        using (stream)
        {
            var socketOptions = options.Value;
            using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                KeepAliveInterval = socketOptions.KeepAliveInterval,
            }).ConfigureAwait(false);
            EdgeLog.SocketOpened(logger, Path, open.ClientId, open.Topic);

            var session = new ProducerSocketSession(
                socket, stream.Call, new ProduceFrameParser(open.KeyFormat, open.ValueFormat), socketOptions);
            var end = await session.RunAsync(context.RequestAborted, lifetime.ApplicationStopping).ConfigureAwait(false);
            await streamLifetime.CancelAsync().ConfigureAwait(false);

            if (end.BridgeError is { } failure)
            {
                EdgeLog.BridgeStreamFailed(logger, open.ClientId, failure.StatusCode, failure.Status.Detail);
            }

            var close = end.ToClose(socketOptions.MaxFrameBytes);
            EdgeLog.SocketClosed(logger, Path, open.ClientId, end.Reason, close?.Status, close?.Reason);
        }
    }

    private async Task RefuseAsync(HttpContext context, string clientId, int statusCode, string message)
    {
        EdgeLog.SocketRefused(logger, Path, clientId, statusCode, message);
        await JsonResponses.WriteErrorAsync(context, statusCode, message).ConfigureAwait(false);
    }
}
