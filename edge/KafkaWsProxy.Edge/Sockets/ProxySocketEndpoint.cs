using System.Net.WebSockets;
using Grpc.Core;
using KafkaWsProxy.Edge.Bridge;
using KafkaWsProxy.Edge.Configuration;
using KafkaWsProxy.Edge.Http;
using KafkaWsProxy.Edge.Logging;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>
/// The life of every proxy socket (spec §2, §6): validate the query, open the
/// bridge stream and wait for its answer, and only then accept the upgrade, so
/// that every refusal is an HTTP JSON answer; then run the socket's session
/// and release the stream whatever way it ends.
/// </summary>
internal abstract class ProxySocketEndpoint<TSettings, TRequest, TResponse>(
    IOptions<SocketOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger logger)
    where TSettings : class
{
    protected abstract string Path { get; }

    protected SocketOptions Options => options.Value;

    /// <exception cref="RequestValidationException">The query is invalid.</exception>
    protected abstract TSettings Parse(IQueryCollection query);

    protected abstract (string ClientId, string Topic) Describe(TSettings settings);

    /// <exception cref="RpcException">The bridge refused the stream or could not be reached.</exception>
    protected abstract Task<OpenedStream<TRequest, TResponse>> OpenStreamAsync(TSettings settings, CancellationToken streamLifetime);

    protected abstract Task<SocketEnd> RunSessionAsync(
        WebSocket socket, OpenedStream<TRequest, TResponse> stream, TSettings settings,
        CancellationToken connectionAborted, CancellationToken serverStopping);

    public async Task HandleAsync(HttpContext context)
    {
        if (SocketRequests.CheckUpgrade(context) is { } refusal)
        {
            await RefuseAsync(context, SocketRequests.ClientIdForLog(context), refusal.StatusCode, refusal.Message).ConfigureAwait(false);
            return;
        }

        TSettings settings;
        try
        {
            settings = Parse(context.Request.Query);
        }
        catch (RequestValidationException e)
        {
            await RefuseAsync(context, SocketRequests.ClientIdForLog(context), e.StatusCode, e.Message).ConfigureAwait(false);
            return;
        }

        var (clientId, topic) = Describe(settings);

        // The stream lives as long as this request; it is cancelled when the session ends.
        using var streamLifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        OpenedStream<TRequest, TResponse> stream;
        try
        {
            stream = await OpenStreamAsync(settings, streamLifetime.Token).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            if (BridgeStatusMapping.IsLocalFailure(e))
            {
                EdgeLog.BridgeUnreachable(logger, e.Status.Detail);
            }

            await RefuseAsync(context, clientId, BridgeStatusMapping.ToHttpStatus(e.StatusCode), BridgeStatusMapping.ToHttpMessage(e))
                .ConfigureAwait(false);
            return;
        }

        using (stream)
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                KeepAliveInterval = Options.KeepAliveInterval,
            }).ConfigureAwait(false);
            EdgeLog.SocketOpened(logger, Path, clientId, topic);

            var end = await RunSessionAsync(socket, stream, settings, context.RequestAborted, lifetime.ApplicationStopping)
                .ConfigureAwait(false);
            await streamLifetime.CancelAsync().ConfigureAwait(false);

            if (end.BridgeError is { } failure)
            {
                EdgeLog.BridgeStreamFailed(logger, clientId, failure.StatusCode, failure.Status.Detail);
            }

            var close = end.ToClose(Options.MaxFrameBytes);
            EdgeLog.SocketClosed(logger, Path, clientId, end.Reason, close?.Status, close?.Reason);
        }
    }

    private async Task RefuseAsync(HttpContext context, string clientId, int statusCode, string message)
    {
        EdgeLog.SocketRefused(logger, Path, clientId, statusCode, message);
        await JsonResponses.WriteErrorAsync(context, statusCode, message).ConfigureAwait(false);
    }
}
