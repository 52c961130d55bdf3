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
    /// </summary>
    /// <param name="limit">Sessions allowed in the scope; 0 = unlimited.</param>
    /// <param name="uniqueMember">Refuse when an earlier live session has the same member.</param>
    public string? Decide(SessionEntry claim, int limit, bool uniqueMember, long nowMs)
    {
        if (!_sessions.TryGetValue(claim.Key, out var mine))
        {
            return "The session was removed before it was granted.";
        }

        var ahead = _sessions.Values
            .Where(s => s.Entry.ScopeKey == claim.ScopeKey && !IsExpired(s, nowMs) && s.FirstOffset < mine.FirstOffset)
            .ToList();

        if (uniqueMember && ahead.Any(s => s.Entry.Member == claim.Member))
        {
            return claim.Kind == SessionKind.Consumer
                ? $"Consumer id '{claim.Member}' is already registered in group '{claim.Scope}'."
                : $"Instance '{claim.Member}' of client '{claim.Scope}' is already connected.";
        }

        if (!uniqueMember)
        {
            // The newest session of a member replaces the older ones (which get fenced): they do not count.
            ahead.RemoveAll(s => s.Entry.Member == claim.Member);
        }

        if (limit > 0 && ahead.Count >= limit)
        {
            return claim.Kind == SessionKind.Consumer
                ? $"Consumer session limit for group '{claim.Scope}' reached: at most {limit} socket(s)."
                : $"Producer session limit for client '{claim.Scope}' reached: at most {limit} socket(s).";
        }

        return null;
    }

    /// <summary>Live sessions of a scope, for diagnostics and tests.</summary>
    public int CountLive(string scopeKey, long nowMs) =>
        _sessions.Values.Count(s => s.Entry.ScopeKey == scopeKey && !IsExpired(s, nowMs));

    /// <summary>True when a later session of the same member was granted (this one is superseded).</summary>
    public bool IsSuperseded(SessionEntry entry, long nowMs) =>
        _sessions.TryGetValue(entry.Key, out var mine)
        && _sessions.Values.Any(s => s.Entry.ScopeKey == entry.ScopeKey && s.Entry.Member == entry.Member && s.Entry.Granted
            && s.Entry.Key != entry.Key && s.FirstOffset > mine.FirstOffset && !IsExpired(s, nowMs));

    private bool IsExpired(Live live, long nowMs) => nowMs - live.LastHeartbeatMs > ttl.TotalMilliseconds;

    private sealed record Live(SessionEntry Entry, long FirstOffset, long LastHeartbeatMs);
}
