using Grpc.Core;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>Reads what the client sends after the open message: commits only, handed to the pump.</summary>
internal static class ConsumeRequestReader
{
    public static async Task ReadAsync(IAsyncStreamReader<ConsumeRequest> requests, ConsumerPump pump, CancellationToken cancellationToken)
    {
        while (await requests.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            var request = requests.Current;
            if (request.KindCase != ConsumeRequest.KindOneofCase.Commit)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "Only commits may follow the open message."));
            }

            pump.Enqueue(new CommitCommand(request.Commit, WantsResult: !request.Commit.NoResult));
        }
    }
}
