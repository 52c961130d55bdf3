extern alias BridgeAssembly;

using BridgeAssembly::KafkaWsProxy.Contracts.V1;
using Grpc.Core;

namespace KafkaWsProxy.Tests.Bridge.Consume;

/// <summary>A response stream that keeps what was written.</summary>
internal sealed class RecordingResponses : IServerStreamWriter<ConsumeResponse>
{
    private readonly List<ConsumeResponse> _written = [];

    public WriteOptions? WriteOptions { get; set; }

    public IReadOnlyList<ConsumeResponse> Written
    {
        get
        {
            lock (_written)
            {
                return [.. _written];
            }
        }
    }

    public Task WriteAsync(ConsumeResponse message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(ConsumeResponse message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_written)
        {
            _written.Add(message.Clone());
        }

        return Task.CompletedTask;
    }
}
