using System.Globalization;
using System.Text.RegularExpressions;
using KafkaWsProxy.Contracts.V1;
using Microsoft.Extensions.Primitives;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>
/// Reads and validates socket query parameters (docs/protocol.md §4, §5). Every failure is a
/// <see cref="RequestValidationException"/> whose message names the parameter.
/// </summary>
internal sealed partial class QueryReader(IQueryCollection query)
{
    private const int MaxIdLength = 255;

    public string Required(string name)
    {
        var value = Optional(name);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new RequestValidationException($"Request param '{name}' is missing.");
        }

        return value;
    }

    public string? Optional(string name)
    {
        if (!query.TryGetValue(name, out StringValues values) || values.Count == 0)
        {
            return null;
        }

        if (values.Count > 1)
        {
            throw new RequestValidationException($"Request param '{name}' is given more than once.");
        }

        var value = values[0];
        if (value is not null && value.Length > MaxIdLength)
        {
            throw new RequestValidationException($"Request param '{name}' is longer than {MaxIdLength} characters.");
        }

        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>A Kafka topic name: 1 to 249 of [a-zA-Z0-9._-], not "." or "..".</summary>
    public string Topic(string name = "topic")
    {
        var topic = Required(name);
        if (topic.Length > 249 || topic is "." or ".." || !TopicNamePattern().IsMatch(topic))
        {
            throw new RequestValidationException($"'{topic}' is not a valid topic name: use 1 to 249 of a-z, A-Z, 0-9, '.', '_' and '-'.");
        }

        return topic;
    }

    public void SocketPayload(string name = "socketPayload")
    {
        var value = Optional(name);
        if (value is not null && !string.Equals(value, "json", StringComparison.OrdinalIgnoreCase))
        {
            throw new RequestValidationException($"'{value}' is not a valid socket payload. Accepted: json.");
        }
    }

    public DataFormat Format(string name, DataFormat whenAbsent)
    {
        var value = Optional(name);
        if (value is null)
        {
            return whenAbsent;
        }

        if (!FormatNames.TryParse(value, out var format))
        {
            throw new RequestValidationException(
                $"'{value}' is not a valid format type for '{name}'. Accepted: json, string, int, short, long, float, double.");
        }

        return format;
    }

    public bool Boolean(string name, bool whenAbsent)
    {
        var value = Optional(name);
        if (value is null)
        {
            return whenAbsent;
        }

        if (bool.TryParse(value, out var result))
        {
            return result;
        }

        throw new RequestValidationException($"'{value}' is not a valid value for '{name}'. Accepted: true, false.");
    }

    public int Integer(string name, int whenAbsent, int min, int max)
    {
        var value = Optional(name);
        if (value is null)
        {
            return whenAbsent;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var result) && result >= min && result <= max)
        {
            return result;
        }

        throw new RequestValidationException($"'{value}' is not a valid value for '{name}'. Accepted: a whole number from {min} to {max}.");
    }

    public long Long(string name, long whenAbsent, long min, long max)
    {
        var value = Optional(name);
        if (value is null)
        {
            return whenAbsent;
        }

        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var result) && result >= min && result <= max)
        {
            return result;
        }

        throw new RequestValidationException($"'{value}' is not a valid value for '{name}'. Accepted: a whole number from {min} to {max}.");
    }

    /// <summary>Refuses a parameter that the socket's other parameters rule out.</summary>
    public void Absent(string name, string because)
    {
        if (Optional(name) is not null)
        {
            throw new RequestValidationException($"Request param '{name}' cannot be used {because}.");
        }
    }

    /// <summary>One of a fixed set of names (case-insensitive).</summary>
    public T Choice<T>(string name, T whenAbsent, IReadOnlyDictionary<string, T> accepted)
    {
        var value = Optional(name);
        if (value is null)
        {
            return whenAbsent;
        }

        if (accepted.TryGetValue(value, out var result))
        {
            return result;
        }

        throw new RequestValidationException(
            $"'{value}' is not a valid value for '{name}'. Accepted: {string.Join(", ", accepted.Keys)}.");
    }

    [GeneratedRegex("^[a-zA-Z0-9._-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex TopicNamePattern();
}
