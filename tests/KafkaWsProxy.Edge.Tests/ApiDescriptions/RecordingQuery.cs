using System.Collections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace KafkaWsProxy.Edge.Tests.ApiDescriptions;

/// <summary>A query that answers from given values and records every name a parser asks for.</summary>
internal sealed class RecordingQuery(IReadOnlyDictionary<string, string> values) : IQueryCollection
{
    private readonly Dictionary<string, StringValues> _values =
        values.ToDictionary(p => p.Key, p => new StringValues(p.Value), StringComparer.OrdinalIgnoreCase);

    public HashSet<string> AskedFor { get; } = new(StringComparer.Ordinal);

    public int Count => _values.Count;

    public ICollection<string> Keys => _values.Keys;

    public StringValues this[string key]
    {
        get
        {
            AskedFor.Add(key);
            return _values.GetValueOrDefault(key);
        }
    }

    public bool ContainsKey(string key)
    {
        AskedFor.Add(key);
        return _values.ContainsKey(key);
    }

    public bool TryGetValue(string key, out StringValues value)
    {
        AskedFor.Add(key);
        return _values.TryGetValue(key, out value);
    }

    public IEnumerator<KeyValuePair<string, StringValues>> GetEnumerator() => _values.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
