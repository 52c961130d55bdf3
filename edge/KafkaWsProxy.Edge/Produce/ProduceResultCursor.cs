using Grpc.Core;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Edge.Produce;

/// <summary>Walks the bridge's result batches one result at a time, in order.</summary>
internal sealed class ProduceResultCursor(IAsyncStreamReader<ProduceResponse> responses)
{
    private ProduceResultBatch? _batch;
    private int _next;

    /// <exception cref="RpcException">The bridge stream failed, or ended while results were still owed.</exception>
    public async ValueTask<ProduceResult> NextAsync(CancellationToken cancellationToken)
    {
        while (_batch is null || _next == _batch.Results.Count)
        {
            if (!await responses.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                throw new RpcException(new Status(StatusCode.Internal, "The bridge ended the stream while acks were still owed."));
            }

            var response = responses.Current;
            if (response.KindCase != ProduceResponse.KindOneofCase.Results)
            {
                throw new RpcException(new Status(StatusCode.Internal, "The bridge sent a message out of protocol."));
            }

            _batch = response.Results;
            _next = 0;
        }

        return _batch.Results[_next++];
    }
}
