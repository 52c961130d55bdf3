namespace KafkaWsProxy.Bridge.Broadcast;

/// <summary>A broadcast stream's membership of its shared consumer; disposing it leaves (the last one closes the consumer).</summary>
internal sealed class BroadcastSubscription(
    BroadcastHubs hubs, BroadcastKey key, BroadcastHubs.Entry entry, BroadcastHub hub, BroadcastSubscriber subscriber) : IAsyncDisposable
{
    private int _disposed;

    public BroadcastSubscriber Subscriber => subscriber;

    public int PartitionCount => hub.PartitionCount;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        hub.Unsubscribe(subscriber);
        await hubs.LeaveAsync(key, entry).ConfigureAwait(false);
    }
}
