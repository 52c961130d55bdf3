using Grpc.Core;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Tests.Consume;

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
