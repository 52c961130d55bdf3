using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace KafkaWsProxy.Tests.Architecture;

/// <summary>
/// Every setting of both services is documented in docs/configuration.md under
/// its real name, with the default the code really has. The services' assemblies are
/// loaded from their build outputs: this project references neither (their contract
/// types would clash), the unit test projects reference one each. It references the
/// shared ServiceDefaults, which brings the versions of the libraries both services load.
/// </summary>
public sealed partial class ConfigurationDocsTests
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> DocumentedDefaults = new(ReadDocumentedDefaults);

    public static TheoryData<string, string> Settings()
    {
        var data = new TheoryData<string, string>();
        foreach (var (key, defaultText) in OptionsSettings())
        {
            data.Add(key, defaultText);
        }

        return data;
    }

    [Fact]
    public void OptionsClasses_AreFound_InBothServices()
    {
        var keys = OptionsSettings().Select(s => s.Key).ToList();
        Assert.Contains("Sockets:MaxFrameBytes", keys);
        Assert.Contains("Bridge:Address", keys);
        Assert.Contains("Auth:Jwt:ClockSkew", keys);
        Assert.Contains("Kafka:BootstrapServers", keys);
        Assert.Contains("Sessions:Ttl", keys);
    }

    [Theory]
    [MemberData(nameof(Settings))]
    public void Setting_IsDocumented_WithItsDefault(string key, string expectedDefault)
    {
        var documented = DocumentedDefaults.Value;
        Assert.True(documented.ContainsKey(key), $"docs/configuration.md has no row for `{key}`.");
        if (expectedDefault == MapDefault)
        {
            return;
        }

        Assert.True(
            Matches(documented[key], expectedDefault),
            $"docs/configuration.md documents `{key}` with default {documented[key]}, the code has {expectedDefault}.");
    }

    private const string MapDefault = "<map>";

    private static bool Matches(string documented, string expected) =>
        expected.Length == 0
            ? documented is "empty" or "none"
            : documented.Trim('`') == expected;

    /// <summary>Every public settable property of every options class, as a configuration key and its default.</summary>
    private static IEnumerable<(string Key, string Default)> OptionsSettings()
    {
        var assemblies = new[] { Assembly.LoadFrom(BuildOutputs.EdgeDll), Assembly.LoadFrom(BuildOutputs.BridgeDll), typeof(KafkaWsProxy.ServiceDefaults.TelemetryOptions).Assembly };
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
        {
            var section = type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static);
            if (section?.GetRawConstantValue() is not string name || !type.Name.EndsWith("Options", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var setting in Walk(name, Activator.CreateInstance(type)!))
            {
                yield return setting;
            }
        }
    }

    private static IEnumerable<(string Key, string Default)> Walk(string prefix, object instance)
    {
        foreach (var property in instance.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var key = $"{prefix}:{property.Name}";
            var value = property.GetValue(instance);
            if (value is IDictionary)
            {
                yield return (key, MapDefault);
            }
            else if (property.CanWrite && IsLeaf(property.PropertyType))
            {
                yield return (key, Format(value));
            }
            else if (property.CanWrite && value is not null && property.PropertyType.IsClass)
            {
                foreach (var nested in Walk(key, value))
                {
                    yield return nested;
                }
            }
        }
    }

    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(Uri)
        || Nullable.GetUnderlyingType(type) is not null;

    private static string Format(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        TimeSpan t => t.Milliseconds == 0 ? t.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture) : t.ToString(@"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>
    /// The rows of the tables in docs/configuration.md: first cell the key in
    /// backticks (a map's key ends in `:&lt;name&gt;`), third cell the default.
    /// </summary>
    private static Dictionary<string, string> ReadDocumentedDefaults()
    {
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(Path.Combine(RepositoryRoot(), "docs", "configuration.md")))
        {
            var cells = line.Split('|', StringSplitOptions.TrimEntries);
            if (cells.Length < 5 || KeyCell().Match(cells[1]) is not { Success: true } key)
            {
                continue;
            }

            rows.TryAdd(key.Groups["key"].Value, cells[3]);
        }

        return rows;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KafkaWsProxy.Split.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (KafkaWsProxy.Split.sln) was not found above the test's directory.");
    }

    // `Section:Name`, or a map's `Section:Name:<key>` (the map's own key is reported without the placeholder).
    [GeneratedRegex(@"^`(?<key>[A-Za-z]+(?::[A-Za-z]+)+)(?::<[^>]+>)?`")]
    private static partial Regex KeyCell();
}
