using Grpc.Core;
using Grpc.Net.Client.Balancer;

namespace KafkaWsProxy.Edge.Bridge.Balancing;

/// <summary>
/// Gives the channel's round-robin balancer only the bridges that report SERVING.
/// The candidates come from an inner resolver (a fixed list, or DNS); each candidate's
/// health is followed by a <see cref="BridgeHealthWatch"/>. grpc-dotnet has no
/// client-side health checking of its own, so the filtering happens here, in the resolver.
/// </summary>
internal sealed class HealthyBridgeResolver : Resolver
{
    private readonly Resolver _candidates;
    private readonly Func<BalancerAddress, Action, BridgeHealthWatch> _watch;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, BridgeHealthWatch> _watches = new(StringComparer.Ordinal);
    private Action<ResolverResult>? _listener;
    private string? _published;
    private bool _disposed;

    public HealthyBridgeResolver(Resolver candidates, Func<BalancerAddress, Action, BridgeHealthWatch> watch)
    {
        _candidates = candidates;
        _watch = watch;
    }

    public override void Start(Action<ResolverResult> listener)
    {
        _listener = listener;
        _candidates.Start(OnCandidates);
    }

    public override void Refresh() => _candidates.Refresh();

    private void OnCandidates(ResolverResult result)
    {
        if (result.Status.StatusCode != StatusCode.OK || result.Addresses is null)
        {
            _listener?.Invoke(result);
            return;
        }

        var removed = new List<BridgeHealthWatch>();
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            var current = result.Addresses.ToDictionary(BridgeHealthWatch.NameOf, StringComparer.Ordinal);
            foreach (var key in _watches.Keys.Where(k => !current.ContainsKey(k)).ToList())
            {
                removed.Add(_watches[key]);
                _watches.Remove(key);
            }

            foreach (var (key, address) in current)
            {
                if (!_watches.ContainsKey(key))
                {
                    _watches[key] = _watch(address, Publish);
                }
            }
        }

        foreach (var watch in removed)
        {
            _ = watch.DisposeAsync().AsTask();
        }

        Publish();
    }

    /// <summary>
    /// Hands the healthy bridges to the balancer when that set changed. Until a first bridge
    /// is healthy, nothing is published while some bridge has not answered yet, so the first
    /// streams wait for the health answers instead of failing.
    /// </summary>
    private void Publish()
    {
        lock (_lock)
        {
            if (_disposed || _listener is null)
            {
                return;
            }

            var healthy = _watches.Values.Where(w => w.Healthy == true).Select(w => w.Address).OrderBy(BridgeHealthWatch.NameOf, StringComparer.Ordinal).ToList();
            if (healthy.Count == 0 && _watches.Values.Any(w => w.Healthy is null))
            {
                return;
            }

            var key = string.Join(",", healthy.Select(BridgeHealthWatch.NameOf));
            if (key == _published)
            {
                return;
            }

            _published = key;
            // Called under the lock so that two changes are never handed over out of order;
            // the balancer only queues the update and never calls back into this resolver here.
            _listener(healthy.Count > 0
                ? ResolverResult.ForResult(healthy)
                : ResolverResult.ForFailure(new Status(StatusCode.Unavailable, "No Kafka bridge is healthy.")));
        }
    }

    protected override void Dispose(bool disposing)
    {
        List<BridgeHealthWatch> watches;
        lock (_lock)
        {
            _disposed = true;
            watches = [.. _watches.Values];
            _watches.Clear();
        }

        foreach (var watch in watches)
        {
            _ = watch.DisposeAsync().AsTask();
        }

        _candidates.Dispose();
        base.Dispose(disposing);
    }
}
