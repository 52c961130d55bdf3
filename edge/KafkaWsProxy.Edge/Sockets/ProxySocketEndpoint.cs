using System.Net.WebSockets;
using Grpc.Core;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Bridge;
using KafkaWsProxy.Edge.Configuration;
using KafkaWsProxy.Edge.Logging;
using KafkaWsProxy.Edge.Responses;
using KafkaWsProxy.Edge.Telemetry;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>
/// The life of every proxy socket (docs/protocol.md §2, §6): validate the query, open the
/// bridge stream and wait for its answer, and only then accept the upgrade, so
/// that every refusal is an HTTP JSON answer; then run the socket's session
/// and release the stream whatever way it ends.
/// </summary>
internal abstract class ProxySocketEndpoint<TSettings, TStream>(
    SocketEndpointServices services,
    ILogger logger)
    where TSettings : class
    where TStream : IDisposable
{
    protected abstract string Path { get; }

    protected SocketOptions Options => services.Sockets.Value;

    /// <summary>True where every inbound frame is owed an answer (an ack or an error frame), so that the wait for it is measured.</summary>
    protected virtual bool AnswersEveryFrame => false;

    /// <exception cref="RequestValidationException">The query is invalid.</exception>
    protected abstract TSettings Parse(IQueryCollection query);

    protected abstract (string ClientId, string Topic) Describe(TSettings settings);

    /// <summary>Puts the socket's Kafka credentials into the bridge's open message.</summary>
    protected abstract void UseCredentials(TSettings settings, KafkaCredentials credentials);

    /// <exception cref="RpcException">The bridge refused the stream or could not be reached.</exception>
    protected abstract Task<TStream> OpenStreamAsync(TSettings settings, CancellationToken streamLifetime);

    protected abstract Task<SocketEnd> RunSessionAsync(
        WebSocket socket, IOutputBatching output, TStream stream, TSettings settings,
        SocketEndRequest endRequest, CancellationToken connectionAborted);

    public async Task HandleAsync(HttpContext context)
    {
        if (SocketRequests.CheckUpgrade(context) is { } refusal)
        {
            await RefuseAsync(context, SocketRequests.ClientIdForLog(context), refusal.StatusCode, refusal.Message).ConfigureAwait(false);
            return;
        }

        using var tracked = services.Drain.TryEnter();
        if (tracked is null)
        {
            await RefuseAsync(context, SocketRequests.ClientIdForLog(context), StatusCodes.Status503ServiceUnavailable,
                "This edge is shutting down; reconnect.").ConfigureAwait(false);
            return;
        }

        TSettings settings;
        try
        {
            settings = Parse(context.Request.Query);
            if (services.Credentials.ReadKafkaCredentials(context) is { } credentials)
            {
                UseCredentials(settings, credentials);
            }
        }
        catch (RequestValidationException e)
        {
            await RefuseAsync(context, SocketRequests.ClientIdForLog(context), e.StatusCode, e.Message).ConfigureAwait(false);
            return;
        }

        var (clientId, topic) = Describe(settings);
        using var logScope = EdgeLog.SocketScope(logger, Path, clientId, topic);
        using var span = EdgeTelemetry.StartSocket(Path, clientId, topic);
        using var admission = await services.Admission.AcquireAsync(context.RequestAborted).ConfigureAwait(false);
        if (!admission.IsAcquired)
        {
            await RefuseAsync(context, clientId, StatusCodes.Status503ServiceUnavailable,
                $"This edge has reached its limit of {Options.MaxOpenSockets} open sockets; try again later or another edge.").ConfigureAwait(false);
            return;
        }

        // The stream lives as long as this request; it is cancelled when the session ends.
        using var streamLifetime = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        TStream stream;
        try
        {
            stream = await OpenStreamAsync(settings, streamLifetime.Token).ConfigureAwait(false);
            services.Metrics.BridgeStreamOpen(Path, null);
        }
        catch (RpcException e)
        {
            services.Metrics.BridgeStreamOpen(Path, e.StatusCode);
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
            using var accepted = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                KeepAliveInterval = Options.KeepAliveInterval,
            }).ConfigureAwait(false);
            EdgeLog.SocketOpened(logger, Path, clientId, topic);
            using var counted = services.Metrics.SocketOpened(Path);
            var socket = new MeteredWebSocket(accepted, services.Metrics, Path, AnswersEveryFrame);

            using var endRequest = new SocketEndRequest(
                services.Credentials.ExpiryOf(context), services.Time, services.Drain.Stopping);
            var output = CoalescingUpgradeFeature.BatchingOf(context);
            var end = await RunSessionAsync(socket, output, stream, settings, endRequest, context.RequestAborted).ConfigureAwait(false);
            await streamLifetime.CancelAsync().ConfigureAwait(false);

            var outcomes = end.Outcomes;
            if (outcomes is { Bridge: BridgeOutcome.Failed, BridgeError: { } failure })
            {
                EdgeLog.BridgeStreamFailed(logger, clientId, failure.StatusCode, failure.Status.Detail);
            }

            if (logger.IsEnabled(LogLevel.Debug))
            {
                // EdgeLog takes the outcomes as Enum (Logging/ knows no folder that logs), so they are boxed:
                // only when Debug is on, as checked above, which CA1873 does not see.
#pragma warning disable CA1873
                EdgeLog.SocketClosed(logger, Path, clientId, outcomes.Client, outcomes.Bridge, outcomes.Delivery, outcomes.Requested,
                    end.Close.Status, end.Close.Reason);
#pragma warning restore CA1873
            }
            services.Metrics.SocketClosed(Path, end.Close.Status);
        }
    }

    private async Task RefuseAsync(HttpContext context, string clientId, int statusCode, string message)
    {
        EdgeLog.SocketRefused(logger, Path, clientId, statusCode, message);
        services.Metrics.SocketRefused(Path, statusCode);
        await JsonResponses.WriteErrorAsync(context, statusCode, message).ConfigureAwait(false);
    }
}
