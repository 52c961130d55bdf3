using System.Text.Json;

namespace KafkaWsProxy.Tests.Infrastructure;

internal static class PipelinedFrames
{
    /// <summary>Receives <paramref name="count"/> text frames as JSON, while the caller goes on sending.</summary>
    public static async Task<List<JsonElement>> ReceiveJsonFramesAsync(this TestSocket socket, int count)
    {
        await Task.Yield();
        var frames = new List<JsonElement>(count);
        while (frames.Count < count)
        {
            frames.Add(await socket.ReceiveJsonAsync());
        }

        return frames;
    }
}
