using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Google.Protobuf.Collections;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Edge.Produce;

/// <summary>
/// The bridge's results in input order, handed over one gRPC message at a time: the
/// results loop writes each message's batch with one channel write, and the ack loop
/// takes its results one by one, instead of a channel write and read per record.
/// Used by the socket's ack loop only.
/// </summary>
internal sealed class ProduceResultCursor(ChannelReader<RepeatedField<ProduceResult>> batches)
{
    private RepeatedField<ProduceResult>? _batch;
    private int _next;

    public bool TryRead([NotNullWhen(true)] out ProduceResult? result)
    {
        while (_batch is null || _next == _batch.Count)
        {
            if (!batches.TryRead(out _batch))
            {
                result = null;
                return false;
            }

            _next = 0;
        }

        result = _batch[_next++];
        return true;
    }

    /// <summary>True when a result may be read; false when the results loop ended and every result was read.</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) =>
        _batch is not null && _next < _batch.Count ? ValueTask.FromResult(true) : batches.WaitToReadAsync(cancellationToken);
}
