using Grpc.Core;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Produce;

/// <summary>One open Produce stream: reads record batches, answers each record in input order.</summary>
internal interface IProduceStream : IDisposable
{
    long RecordCount { get; }

    Task RunAsync(IAsyncStreamReader<ProduceRequest> requests, IServerStreamWriter<ProduceResponse> responses, CancellationToken cancellationToken);
}
