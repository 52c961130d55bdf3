using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace KafkaWsProxy.Edge.Responses;

/// <summary>
/// Browsers hide the HTTP answer to a refused WebSocket handshake from scripts
/// (a refused socket is only "closed, 1006"). A handshake that names a
/// <c>refusalId</c> in its query has its refusal kept here for a short while, so
/// the console page can fetch the real status and message once (GET
/// /console/refusals/{id}). Bounded in size and time; the id is the client's
/// random secret, and the message is the one that client was sent anyway.
/// </summary>
internal sealed partial class RefusalNotes(TimeProvider time)
{
    public const string QueryParameter = "refusalId";
    public const int Capacity = 1024;
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, Note> _notes = new(StringComparer.Ordinal);

    /// <summary>Keeps the refusal of a WebSocket handshake that asked for it.</summary>
    public void RecordIfAsked(HttpContext context, int statusCode, string message)
    {
        if (!context.WebSockets.IsWebSocketRequest
            || !context.Request.Query.TryGetValue(QueryParameter, out var ids) || ids.Count != 1 || !IsValidId(ids[0]))
        {
            return;
        }

        var now = time.GetUtcNow();
        if (_notes.Count >= Capacity)
        {
            foreach (var (id, note) in _notes)
            {
                if (note.Expires <= now)
                {
                    _notes.TryRemove(id, out _);
                }
            }

            if (_notes.Count >= Capacity)
            {
                return;
            }
        }

        _notes[ids[0]!] = new Note(statusCode, message, now + Lifetime);
    }

    /// <summary>The refusal kept under this id (removed as it is read), or null.</summary>
    public (int StatusCode, string Message)? Take(string id)
    {
        if (!_notes.TryRemove(id, out var note) || note.Expires <= time.GetUtcNow())
        {
            return null;
        }

        return (note.StatusCode, note.Message);
    }

    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9_-]{16,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    private sealed record Note(int StatusCode, string Message, DateTimeOffset Expires);
}
