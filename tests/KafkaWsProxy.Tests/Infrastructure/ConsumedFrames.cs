using System.Text.Json;

namespace KafkaWsProxy.Tests.Infrastructure;

/// <summary>A record as a /socket/out frame carries it.</summary>
internal sealed record ConsumedFrame(JsonElement Json)
{
    public string MessageId => Json.GetProperty("wsProxyMessageId").GetString()!;

    public int Partition => Json.GetProperty("partition").GetInt32();

    public long Offset => Json.GetProperty("offset").GetInt64();

    public string? Key => Json.TryGetProperty("key", out var key) ? key.GetProperty("value").ToString() : null;

    public string Value => Json.GetProperty("value").GetProperty("value").ToString();

    public string CommitFrame => JsonSerializer.Serialize(new { wsProxyMessageId = MessageId });
}

internal static class ConsumedFrames
{
    /// <summary>Receives record frames (single or batched) until <paramref name="count"/> records arrived.</summary>
    public static async Task<List<ConsumedFrame>> ReceiveRecordsAsync(this TestSocket socket, int count, TimeSpan? timeout = null)
    {
        var records = new List<ConsumedFrame>();
        while (records.Count < count)
        {
            var frame = await socket.ReceiveJsonAsync(timeout);
            if (frame.ValueKind == JsonValueKind.Array)
            {
                records.AddRange(frame.EnumerateArray().Select(e => new ConsumedFrame(e)));
            }
            else
            {
                Assert.False(frame.TryGetProperty("error", out _) && !frame.TryGetProperty("offset", out _), $"Expected a record, got {frame}");
                records.Add(new ConsumedFrame(frame));
            }
        }

        return records;
    }
}
