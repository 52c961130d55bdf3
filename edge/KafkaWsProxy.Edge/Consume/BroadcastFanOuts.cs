using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Bridge;
using KafkaWsProxy.Edge.Configuration;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>
/// The edge's shared broadcast streams (docs/protocol.md §5.1), one per <see cref="BroadcastFanOutKey"/>:
/// the first socket opens it, the last one to leave closes it.
/// </summary>
internal sealed class BroadcastFanOuts(BridgeStreamOpener bridge, IOptions<SocketOptions> options, ILogger<BroadcastFanOuts> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<BroadcastFanOutKey, BroadcastFanOut> _fanOuts = [];

    /// <summary>Whether the socket reads through a shared stream: a broadcast socket that starts at the live end.</summary>
    public bool Shares(ConsumerSocketSettings settings) =>
        options.Value.ShareBroadcastStreams && settings.Broadcast && settings.Open.StartOffsets.Count == 0 && settings.Open.StartTimestampMs == 0;

    /// <summary>Joins the socket to its key's shared stream, opening that stream if it is the first.</summary>
    /// <exception cref="Grpc.Core.RpcException">The bridge refused the stream or could not be reached.</exception>
    public async Task<BroadcastShare> JoinAsync(ConsumerSocketSettings settings, CancellationToken cancellationToken)
    {
        var key = BroadcastFanOutKey.Of(settings);
        while (true)
        {
            BroadcastFanOut fanOut;
            lock (_gate)
            {
                if (!_fanOuts.TryGetValue(key, out fanOut!))
                {
                    // The stream outlives the socket that opened it: it has its own lifetime, not the socket's.
                    var open = settings.Open.Clone();
                    open.MaxRecordsPerSecond = 0;
                    fanOut = new BroadcastFanOut(key, open, bridge, options.Value, logger, Forget);
                    _fanOuts[key] = fanOut;
                    fanOut.Start();
                }

                fanOut.References++;
            }

            BroadcastShare? share = null;
            try
            {
                await fanOut.Opened.WaitAsync(cancellationToken).ConfigureAwait(false);
                share = fanOut.TryJoin(settings.Open.ClientId, joined => Leave(fanOut, joined));
            }
            finally
            {
                if (share is null)
                {
                    Release(fanOut);
                }
            }

            if (share is not null)
            {
                return share;
            }

            // It ended between its opening and this join: the next one is opened.
        }
    }

    private void Leave(BroadcastFanOut fanOut, BroadcastShare share)
    {
        fanOut.Leave(share);
        Release(fanOut);
    }

    private void Release(BroadcastFanOut fanOut)
    {
        lock (_gate)
        {
            if (--fanOut.References > 0)
            {
                return;
            }

            if (_fanOuts.TryGetValue(fanOut.Key, out var current) && ReferenceEquals(current, fanOut))
            {
                _fanOuts.Remove(fanOut.Key);
            }
        }

        fanOut.Stop();
    }

    /// <summary>The stream ended by itself (or never opened): sockets that come next open a new one.</summary>
    private void Forget(BroadcastFanOut fanOut)
    {
        lock (_gate)
        {
            if (_fanOuts.TryGetValue(fanOut.Key, out var current) && ReferenceEquals(current, fanOut))
            {
                _fanOuts.Remove(fanOut.Key);
            }
        }
    }
}
