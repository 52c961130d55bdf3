using System.Globalization;

namespace KafkaWsProxy.Bridge.Kafka;

/// <summary>A topic to create on the embedded broker, parsed from "name:partitions".</summary>
internal readonly record struct TopicSpec(string Name, int Partitions)
{
    /// <summary>Parses "a:4,b:1,c" (partitions default to 4, as Kafka's default for the embedded broker).</summary>
    public static IReadOnlyList<TopicSpec> ParseList(string? specs)
    {
        var result = new List<TopicSpec>();
        foreach (var entry in (specs ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split(':', StringSplitOptions.TrimEntries);
            if (parts.Length > 2 || parts[0].Length == 0)
            {
                throw new FormatException($"'{entry}' is not a topic spec; expected name:partitions.");
            }

            var partitions = 4;
            if (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out partitions) || partitions < 1))
            {
                throw new FormatException($"'{entry}' has no valid partition count; expected name:partitions with partitions >= 1.");
            }

            result.Add(new TopicSpec(parts[0], partitions));
        }

        return result;
    }

    public override string ToString() => $"{Name}:{Partitions}";
}
