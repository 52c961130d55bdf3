using System.Threading.Channels;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>A partial batch (batchSize, docs/protocol.md §5) waits up to Sockets:BatchLinger for more records before it is sent.</summary>
internal static class BatchLinger
{
    /// <summary>True when more arrived within <paramref name="linger"/>; false when the linger ran out.</summary>
    public static async ValueTask<bool> MoreWithinAsync<T>(ChannelReader<T> reader, TimeSpan linger, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(linger);
        try
        {
            return await reader.WaitToReadAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
