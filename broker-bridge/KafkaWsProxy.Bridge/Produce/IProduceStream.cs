using Grpc.Core;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Produce;

/// <summary>One open Produce stream: reads record batches, answers each record in input order.</summary>
internal interface IProduceStream : IDisposable
{
    long RecordCount { get; }

    /// <param name="stopReading">Draining: take no new records, answer those taken, then return.</param>
    /// <param name="cancellationToken">Abort: the client is gone or the stream was fenced.</param>
    Task RunAsync(
        IAsyncStreamReader<ProduceRequest> requests,
        IServerStreamWriter<ProduceResponse> responses,
        CancellationToken stopReading,
        CancellationToken cancellationToken);
}
