namespace KafkaWsProxy.Bridge.Sessions;

/// <summary>
/// The registry as read from its topic: the live sessions, each with the
/// position of its first claim. Because every record of a scope is in one
/// partition, every bridge sees the same order and so takes the same decision.
/// Not thread-safe: the caller locks.
/// </summary>
internal sealed class RegistryView(TimeSpan ttl)
{
    private readonly Dictionary<string, Live> _sessions = new(StringComparer.Ordinal);

    /// <summary>Applies one registry record (null entry: removal).</summary>
    public void Apply(string key, SessionEntry? entry, long offset, long timestampMs)
    {
        if (entry is null)
        {
            _sessions.Remove(key);
            return;
        }

        if (_sessions.TryGetValue(key, out var live) && !IsExpired(live, timestampMs))
        {
            // A grant or a heartbeat: keeps its place in line.
            _sessions[key] = live with { Entry = entry, LastHeartbeatMs = Math.Max(live.LastHeartbeatMs, timestampMs) };
            return;
        }

        _sessions[key] = new Live(entry, offset, timestampMs);
    }

    /// <summary>
    /// Decides a claim that has been read back: null when granted, else why not.
    /// A member's newest claim replaces its older sessions (which are superseded
    /// once it is granted, docs/protocol.md §4 and §5), so they never refuse it,
    /// and the limit counts distinct members: the slot of a crashed socket is
    /// taken over by the same member at once, not after the TTL.
    /// </summary>
    /// <param name="limit">Members allowed in the scope; 0 = unlimited.</param>
    public ClaimRefusal? Decide(SessionEntry claim, int limit, long nowMs)
    {
        if (!_sessions.TryGetValue(claim.Key, out var mine))
        {
            return ClaimRefusal.ClaimLost;
        }

        var othersAhead = _sessions.Values
            .Where(s => s.Entry.ScopeKey == claim.ScopeKey && s.Entry.Member != claim.Member
                && !IsExpired(s, nowMs) && s.FirstOffset < mine.FirstOffset)
            .Select(s => s.Entry.Member)
            .Distinct(StringComparer.Ordinal)
            .Count();

        return limit > 0 && othersAhead >= limit ? ClaimRefusal.LimitReached : null;
    }

    /// <summary>True when a later session of the same member was granted (this one is superseded).</summary>
    public bool IsSuperseded(SessionEntry entry, long nowMs) => SupersededBy(entry, nowMs) is not null;

    /// <summary>A live, granted session of the same member claimed after this one, if any.</summary>
    public SessionEntry? SupersededBy(SessionEntry entry, long nowMs) =>
        _sessions.TryGetValue(entry.Key, out var mine)
            ? _sessions.Values.FirstOrDefault(s => s.Entry.ScopeKey == entry.ScopeKey && s.Entry.Member == entry.Member && s.Entry.Granted
                && s.Entry.Key != entry.Key && s.FirstOffset > mine.FirstOffset && !IsExpired(s, nowMs))?.Entry
            : null;

    private bool IsExpired(Live live, long nowMs) => nowMs - live.LastHeartbeatMs > ttl.TotalMilliseconds;

    private sealed record Live(SessionEntry Entry, long FirstOffset, long LastHeartbeatMs);
}
