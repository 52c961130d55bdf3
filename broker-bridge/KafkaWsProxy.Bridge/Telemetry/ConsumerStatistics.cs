using System.Text.Json;

namespace KafkaWsProxy.Bridge.Telemetry;

/// <summary>Reads a consumer's lag from librdkafka's statistics JSON (statistics.interval.ms).</summary>
internal static class ConsumerStatistics
{
    /// <summary>
    /// The sum of consumer_lag (the partition's end offset minus the group's committed offset)
    /// over the topic's partitions this consumer is assigned; -1 when none is known yet.
    /// </summary>
    public static long LagOf(string statisticsJson, string topic)
    {
        using var statistics = JsonDocument.Parse(statisticsJson);
        if (!statistics.RootElement.TryGetProperty("topics", out var topics)
            || !topics.TryGetProperty(topic, out var topicStatistics)
            || !topicStatistics.TryGetProperty("partitions", out var partitions))
        {
            return -1;
        }

        var lag = -1L;
        foreach (var partition in partitions.EnumerateObject())
        {
            // "-1" is librdkafka's internal unassigned-partition entry; -1 lag is "unknown".
            if (partition.Name == "-1" || !partition.Value.TryGetProperty("consumer_lag", out var value) || value.GetInt64() < 0)
            {
                continue;
            }

            lag = Math.Max(lag, 0) + value.GetInt64();
        }

        return lag;
    }
}
