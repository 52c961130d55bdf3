using System.Text.RegularExpressions;

namespace KafkaWsProxy.Tests.Infrastructure;

/// <summary>
/// Reads a client's partition assignment from the bridge's log (incremental
/// assigned/lost lines), so tests can wait for a group to settle.
/// </summary>
internal static partial class AssignmentLog
{
    public static HashSet<int> Current(ServiceProcess bridge, string clientId, string topic)
    {
        var owned = new HashSet<int>();
        foreach (var line in bridge.LogLines)
        {
            var match = AssignmentLine().Match(line);
            if (!match.Success || match.Groups["client"].Value != clientId || match.Groups["topic"].Value != topic)
            {
                continue;
            }

            var partitions = match.Groups["partitions"].Value
                .Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture));
            if (match.Groups["verb"].Value == "was assigned")
            {
                owned.UnionWith(partitions);
            }
            else
            {
                owned.ExceptWith(partitions);
            }
        }

        return owned;
    }

    /// <summary>Waits until the client owns exactly <paramref name="count"/> partitions.</summary>
    public static async Task<HashSet<int>> WaitForAsync(ServiceProcess bridge, string clientId, string topic, int count)
    {
        await Eventually.TrueAsync(() => Current(bridge, clientId, topic).Count == count,
            $"{clientId} owns {count} partitions of {topic}");
        return Current(bridge, clientId, topic);
    }

    public static int RevocationCount(ServiceProcess bridge, string clientId, string topic) =>
        bridge.LogLines.Count(l => l.Contains($"Consumer of client {clientId} on {topic} lost partitions", StringComparison.Ordinal));

    [GeneratedRegex(@"Consumer of client (?<client>\S+) on (?<topic>\S+) (?<verb>was assigned|lost) partitions \[(?<partitions>[0-9,]*)\]")]
    private static partial Regex AssignmentLine();
}
