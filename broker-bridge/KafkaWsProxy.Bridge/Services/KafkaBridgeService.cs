using Grpc.Core;
using KafkaWsProxy.Bridge.Broadcast;
using KafkaWsProxy.Bridge.Cluster;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Consume;
using KafkaWsProxy.Bridge.Logging;
using KafkaWsProxy.Bridge.Produce;
using KafkaWsProxy.Bridge.Sessions;
using KafkaWsProxy.Bridge.Telemetry;
using KafkaWsProxy.Contracts.V1;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Bridge.Services;

/// <summary>The gRPC face of the bridge; each call is handed to the component that owns it.</summary>
internal sealed class KafkaBridgeService(
    ProduceStreamOpener produceOpener,
    ConsumeStreamOpener consumeOpener,
    BroadcastHubs broadcasts,
    ClusterDescriber clusterDescriber,
    StreamDrain drain,
    IHostApplicationLifetime lifetime,
    BridgeMetrics metrics,
    IOptions<BroadcastOptions> broadcastOptions,
    IOptions<GrpcOptions> grpcOptions,
    ILogger<KafkaBridgeService> logger) : KafkaBridge.KafkaBridgeBase
{
    public override async Task Produce(
        IAsyncStreamReader<ProduceRequest> requestStream,
        IServerStreamWriter<ProduceResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var open = await ReadOpenAsync(requestStream, cancellationToken).ConfigureAwait(false);
        // A draining bridge takes no new stream: the edge opens it on another bridge.
        drain.RefuseIfDraining(cancellationToken);
        using var logScope = BridgeLog.StreamScope(logger, BridgeMetrics.Produce, open.ClientId, open.Topic);
        responseStream = new MeteredProduceResponses(responseStream, metrics);

        OpenedProduceStream opened;
        try
        {
            opened = await produceOpener.OpenAsync(open, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            BridgeLog.ProduceStreamRefused(logger, open.ClientId, open.Topic, e.StatusCode, e.Status.Detail);
            metrics.StreamRefused(BridgeMetrics.Produce, e.StatusCode);
            throw;
        }

        await using (opened.ConfigureAwait(false))
        {
            BridgeLog.ProduceStreamOpened(logger, open.ClientId, open.Topic);
            metrics.StreamOpened(BridgeMetrics.Produce, registered: opened.Session is not null);
            using var fenced = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, opened.Session?.Superseded ?? default);
            try
            {
                drain.RefuseIfDraining(cancellationToken);
                await responseStream.WriteAsync(
                    new ProduceResponse { Opened = new ProduceOpened { PartitionCount = opened.PartitionCount } },
                    cancellationToken).ConfigureAwait(false);
                await opened.Stream.RunAsync(requestStream, responseStream, lifetime.ApplicationStopping, fenced.Token).ConfigureAwait(false);
                await drain.EndIfDrainingAsync(open.DrainNotice, ProduceNotice(responseStream), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (opened.Session?.Superseded.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested)
            {
                throw new RpcException(new Status(StatusCode.Aborted,
                    $"Fenced: a newer socket with clientId {open.ClientId} and instanceId {open.InstanceId} took over."));
            }
            catch (Exception e) when (e is not RpcException && !cancellationToken.IsCancellationRequested)
            {
                await drain.EndIfDrainingAsync(open.DrainNotice, ProduceNotice(responseStream), cancellationToken).ConfigureAwait(false);
                BridgeLog.UnexpectedStreamFailure(logger, "Produce", e);
                throw new RpcException(new Status(StatusCode.Internal, "The bridge failed while producing; see its log."));
            }
            finally
            {
                BridgeLog.ProduceStreamClosed(logger, open.ClientId, open.Topic, opened.Stream.RecordCount);
                metrics.StreamClosed(BridgeMetrics.Produce, registered: opened.Session is not null);
            }
        }
    }

    public override async Task Consume(
        IAsyncStreamReader<ConsumeRequest> requestStream,
        IServerStreamWriter<ConsumeResponse> responseStream,
        ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        if (!await requestStream.MoveNext(cancellationToken).ConfigureAwait(false)
            || requestStream.Current.KindCase != ConsumeRequest.KindOneofCase.Open)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "The first message of a Consume stream must be 'open'."));
        }

        var open = requestStream.Current.Open;
        drain.RefuseIfDraining(cancellationToken);
        if (open.Broadcast)
        {
            await ConsumeBroadcastAsync(open, requestStream, responseStream, cancellationToken).ConfigureAwait(false);
            return;
        }

        using var logScope = BridgeLog.StreamScope(logger, BridgeMetrics.Consume, open.ClientId, open.Topic);
        ConsumeSession session;
        int partitionCount;
        SessionLease lease;
        try
        {
            (session, partitionCount, lease) = await consumeOpener.OpenAsync(open, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            BridgeLog.ConsumeStreamRefused(logger, open.ClientId, open.Topic, e.StatusCode, e.Status.Detail);
            metrics.StreamRefused(BridgeMetrics.Consume, e.StatusCode);
            throw;
        }

        await using (lease.ConfigureAwait(false))
        using (session)
        {
            BridgeLog.ConsumeStreamOpened(logger, open.ClientId, session.GroupId, open.Topic);
            metrics.StreamOpened(BridgeMetrics.Consume, registered: true);
            using var observed = metrics.ObserveConsumer(session.Gauges);
            try
            {
                drain.RefuseIfDraining(cancellationToken);
                await responseStream.WriteAsync(
                    new ConsumeResponse { Opened = new ConsumeOpened { PartitionCount = partitionCount, GroupId = session.GroupId } },
                    cancellationToken).ConfigureAwait(false);
                using var ending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping, lease.Superseded);
                await session.RunAsync(requestStream, new MeteredConsumeResponses(responseStream, metrics), ending.Token, lease.Superseded).ConfigureAwait(false);
                ThrowIfSuperseded(lease, open.ClientId, session.GroupId, cancellationToken);
                await drain.EndIfDrainingAsync(open.DrainNotice, ConsumeNotice(responseStream), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not RpcException && !cancellationToken.IsCancellationRequested)
            {
                ThrowIfSuperseded(lease, open.ClientId, session.GroupId, cancellationToken);
                await drain.EndIfDrainingAsync(open.DrainNotice, ConsumeNotice(responseStream), cancellationToken).ConfigureAwait(false);
                BridgeLog.UnexpectedStreamFailure(logger, "Consume", e);
                throw new RpcException(new Status(StatusCode.Internal, "The bridge failed while consuming; see its log."));
            }
            finally
            {
                BridgeLog.ConsumeStreamClosed(logger, open.ClientId, session.GroupId, open.Topic, session.DeliveredCount);
                metrics.StreamClosed(BridgeMetrics.Consume, registered: true);
            }
        }
    }

    /// <summary>A broadcast stream (docs/protocol.md §5.1): a share of its topic's consumer, no group, no session entry.</summary>
    private async Task ConsumeBroadcastAsync(
        ConsumeOpen open, IAsyncStreamReader<ConsumeRequest> requestStream, IServerStreamWriter<ConsumeResponse> responseStream,
        CancellationToken cancellationToken)
    {
        using var logScope = BridgeLog.StreamScope(logger, BridgeMetrics.Broadcast, open.ClientId, open.Topic);
        BroadcastSubscription subscription;
        try
        {
            subscription = await broadcasts.JoinAsync(open, cancellationToken).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            BridgeLog.ConsumeStreamRefused(logger, open.ClientId, open.Topic, e.StatusCode, e.Status.Detail);
            metrics.StreamRefused(BridgeMetrics.Broadcast, e.StatusCode);
            throw;
        }

        await using (subscription.ConfigureAwait(false))
        {
            var stream = new BroadcastStream(subscription.Subscriber, broadcastOptions.Value, grpcOptions.Value);
            BridgeLog.ConsumeStreamOpened(logger, open.ClientId, "", open.Topic);
            metrics.StreamOpened(BridgeMetrics.Broadcast, registered: false);
            try
            {
                drain.RefuseIfDraining(cancellationToken);
                var opened = new ConsumeOpened { PartitionCount = subscription.PartitionCount };
                opened.StartedAt.AddRange(subscription.Subscriber.StartedAt
                    .OrderBy(s => s.Key)
                    .Select(s => new PartitionOffset { Partition = s.Key, Offset = s.Value }));
                await responseStream.WriteAsync(new ConsumeResponse { Opened = opened }, cancellationToken).ConfigureAwait(false);
                using var ending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
                await stream.RunAsync(requestStream, new MeteredConsumeResponses(responseStream, metrics), ending.Token).ConfigureAwait(false);
                if (stream.FellBehind)
                {
                    BridgeLog.BroadcastStreamFellBehind(logger, open.ClientId, open.Topic, subscription.Subscriber.Capacity);
                    metrics.BroadcastFellBehind();
                    return;
                }

                await drain.EndIfDrainingAsync(open.DrainNotice, ConsumeNotice(responseStream), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not RpcException && !cancellationToken.IsCancellationRequested)
            {
                await drain.EndIfDrainingAsync(open.DrainNotice, ConsumeNotice(responseStream), cancellationToken).ConfigureAwait(false);
                BridgeLog.UnexpectedStreamFailure(logger, "Broadcast", e);
                throw new RpcException(new Status(StatusCode.Internal, "The bridge failed while consuming; see its log."));
            }
            finally
            {
                BridgeLog.ConsumeStreamClosed(logger, open.ClientId, "", open.Topic, stream.DeliveredCount);
                metrics.StreamClosed(BridgeMetrics.Broadcast, registered: false);
            }
        }
    }

    public override Task<DescribeClusterResponse> DescribeCluster(DescribeClusterRequest request, ServerCallContext context) =>
        clusterDescriber.DescribeAsync(context.CancellationToken);

    /// <summary>
    /// A newer socket of the same clientId in the group was granted (on any bridge):
    /// end this stream with ABORTED, which the edge turns into close 1008, after the
    /// session has closed its consumer (docs/protocol.md §5, §6).
    /// </summary>
    private static void ThrowIfSuperseded(SessionLease lease, string clientId, string groupId, CancellationToken callCancelled)
    {
        if (lease.Superseded.IsCancellationRequested && !callCancelled.IsCancellationRequested)
        {
            throw new RpcException(new Status(StatusCode.Aborted,
                $"Superseded by a newer connection of clientId {clientId} in group {groupId}."));
        }
    }

    private static Func<CancellationToken, Task> ProduceNotice(IServerStreamWriter<ProduceResponse> responses) =>
        token => responses.WriteAsync(new ProduceResponse { Draining = new StreamDraining() }, token);

    private static Func<CancellationToken, Task> ConsumeNotice(IServerStreamWriter<ConsumeResponse> responses) =>
        token => responses.WriteAsync(new ConsumeResponse { Draining = new StreamDraining() }, token);

    private static async Task<ProduceOpen> ReadOpenAsync(IAsyncStreamReader<ProduceRequest> requests, CancellationToken cancellationToken)
    {
        if (!await requests.MoveNext(cancellationToken).ConfigureAwait(false)
            || requests.Current.KindCase != ProduceRequest.KindOneofCase.Open)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "The first message of a Produce stream must be 'open'."));
        }

        return requests.Current.Open;
    }
}
