namespace KafkaWsProxy.Edge.Sockets;

/// <summary>
/// Lets a socket's single sender write a burst of frames as one network write:
/// frames sent between <see cref="Begin"/> and <see cref="EndAsync"/> are held
/// (up to a size limit) and written together. A sender ends the burst before it
/// waits for more work, so nothing is ever held while the sender is idle.
/// </summary>
internal interface IOutputBatching
{
    void Begin();

    ValueTask EndAsync(CancellationToken cancellationToken);
}

/// <summary>For transports the edge cannot batch (e.g. WebSockets over HTTP/2): every frame is written at once.</summary>
internal sealed class NoOutputBatching : IOutputBatching
{
    public static readonly NoOutputBatching Instance = new();

    public void Begin()
    {
    }

    public ValueTask EndAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
