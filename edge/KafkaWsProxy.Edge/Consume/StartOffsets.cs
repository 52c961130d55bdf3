using System.Globalization;
using System.Text;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>
/// The `partition:offset,partition:offset` list of a broadcast socket's startOffsets, and of the
/// reason it is closed with when it falls behind (docs/protocol.md §5.1), so a client can pass
/// the one back as the other.
/// </summary>
internal static class StartOffsets
{
    public static List<PartitionOffset> Parse(string value, string name)
    {
        var offsets = new List<PartitionOffset>();
        foreach (var pair in value.Split(','))
        {
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0
                || !int.TryParse(pair.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
                || !long.TryParse(pair.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                throw new RequestValidationException(
                    $"'{value}' is not a valid value for '{name}'. Accepted: partition:offset pairs separated by commas, such as 0:42,1:17.");
            }

            offsets.Add(new PartitionOffset { Partition = partition, Offset = offset });
        }

        return offsets;
    }

    /// <summary>
    /// Where a broadcast socket that fell behind resumes: after the last record it was sent of
    /// each partition, else where it started there. Cut at a pair, ending in "...", when it
    /// would not fit in <paramref name="maxBytes"/> (ASCII only: one byte per character).
    /// </summary>
    public static string Resume(BroadcastFellBehind notice, IReadOnlyDictionary<int, long> lastSent, int maxBytes) =>
        Resume(notice.StartedAt.ToDictionary(s => s.Partition, s => s.Offset), lastSent, maxBytes);

    /// <summary>As above, from where the socket started in each partition.</summary>
    public static string Resume(IReadOnlyDictionary<int, long> starts, IReadOnlyDictionary<int, long> lastSent, int maxBytes)
    {
        var text = new StringBuilder();
        foreach (var partition in starts.Keys.Union(lastSent.Keys).Order())
        {
            // A partition added after the socket opened was read from its start (offset 0 reads from the oldest record left).
            var offset = lastSent.TryGetValue(partition, out var last) ? last + 1 : starts.GetValueOrDefault(partition);
            var pair = string.Create(CultureInfo.InvariantCulture, $"{(text.Length > 0 ? "," : "")}{partition}:{offset}");
            if (text.Length + pair.Length > maxBytes - 4)
            {
                return text.Append(",...").ToString();
            }

            text.Append(pair);
        }

        return text.ToString();
    }
}
