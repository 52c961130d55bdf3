using System.Text.Json;
using System.Text.RegularExpressions;

namespace KafkaWsProxy.Tests.ApiDescriptions;

/// <summary>
/// Checks a JSON instance against the subset of JSON Schema the API documents
/// use (type, properties, required, enum, items, oneOf, $ref, pattern, minimum,
/// maximum), and more strictly than JSON Schema: every member of an object the
/// schema describes must have a "properties" entry, whatever additionalProperties
/// says (a schema with neither type nor properties allows anything).
/// </summary>
internal static class JsonSchemaCheck
{
    /// <summary>Every problem found, each naming its JSON path; empty when the instance fits.</summary>
    public static List<string> Problems(JsonElement instance, JsonElement schema, JsonElement document, string path = "$")
    {
        var problems = new List<string>();
        Check(instance, schema, document, path, problems);
        return problems;
    }

    public static JsonElement Resolve(JsonElement document, string reference)
    {
        var node = document;
        foreach (var part in reference.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node.GetProperty(part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }

        return node;
    }

    private static void Check(JsonElement instance, JsonElement schema, JsonElement document, string path, List<string> problems)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            Check(instance, Resolve(document, reference.GetString()!), document, path, problems);
            return;
        }

        if (schema.TryGetProperty("oneOf", out var choices))
        {
            var misfits = choices.EnumerateArray().Select(choice => Problems(instance, choice, document, path)).ToList();
            var fitting = misfits.Count(m => m.Count == 0);
            if (fitting != 1)
            {
                problems.Add($"{path}: fits {fitting} of the oneOf choices, not exactly one ({string.Join("; ", misfits.SelectMany(m => m))})");
            }
        }

        if (schema.TryGetProperty("type", out var type) && !HasType(instance, type))
        {
            problems.Add($"{path}: {instance.ValueKind} is not of type {type.GetRawText()}");
            return;
        }

        if (schema.TryGetProperty("enum", out var values) && !values.EnumerateArray().Any(v => JsonElement.DeepEquals(v, instance)))
        {
            problems.Add($"{path}: {instance.GetRawText()} is not one of {values.GetRawText()}");
        }

        if (instance.ValueKind == JsonValueKind.String && schema.TryGetProperty("pattern", out var pattern)
            && !Regex.IsMatch(instance.GetString()!, pattern.GetString()!, RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            problems.Add($"{path}: '{instance.GetString()}' does not match {pattern.GetString()}");
        }

        if (instance.ValueKind == JsonValueKind.Number)
        {
            if (schema.TryGetProperty("minimum", out var min) && instance.GetDouble() < min.GetDouble())
            {
                problems.Add($"{path}: {instance} is below {min}");
            }

            if (schema.TryGetProperty("maximum", out var max) && instance.GetDouble() > max.GetDouble())
            {
                problems.Add($"{path}: {instance} is above {max}");
            }
        }

        // A schema without "type" or "properties" (a json-format value) allows any content.
        if (instance.ValueKind == JsonValueKind.Object && !schema.TryGetProperty("oneOf", out _)
            && (schema.TryGetProperty("type", out _) || schema.TryGetProperty("properties", out _)))
        {
            CheckObject(instance, schema, document, path, problems);
        }

        if (instance.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var index = 0;
            foreach (var item in instance.EnumerateArray())
            {
                Check(item, items, document, $"{path}[{index++}]", problems);
            }
        }
    }

    private static void CheckObject(JsonElement instance, JsonElement schema, JsonElement document, string path, List<string> problems)
    {
        schema.TryGetProperty("properties", out var properties);
        foreach (var member in instance.EnumerateObject())
        {
            if (properties.ValueKind != JsonValueKind.Object || !properties.TryGetProperty(member.Name, out var memberSchema))
            {
                problems.Add($"{path}.{member.Name}: not described");
                continue;
            }

            Check(member.Value, memberSchema, document, $"{path}.{member.Name}", problems);
        }

        if (schema.TryGetProperty("required", out var required))
        {
            foreach (var name in required.EnumerateArray().Select(n => n.GetString()!))
            {
                if (!instance.TryGetProperty(name, out _))
                {
                    problems.Add($"{path}.{name}: required but absent");
                }
            }
        }
    }

    private static bool HasType(JsonElement instance, JsonElement type) =>
        type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Any(t => HasType(instance, t.GetString()!))
            : HasType(instance, type.GetString()!);

    private static bool HasType(JsonElement instance, string type) => type switch
    {
        "object" => instance.ValueKind == JsonValueKind.Object,
        "array" => instance.ValueKind == JsonValueKind.Array,
        "string" => instance.ValueKind == JsonValueKind.String,
        "boolean" => instance.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => instance.ValueKind == JsonValueKind.Null,
        "number" => instance.ValueKind == JsonValueKind.Number,
        "integer" => instance.ValueKind == JsonValueKind.Number && instance.TryGetInt64(out _),
        _ => throw new ArgumentException($"Unknown schema type {type}."),
    };
}
