using System.Globalization;
using System.Text;
using System.Text.Json;

namespace KafkaWsProxy.Benchmarks.Infrastructure;

/// <summary>
/// <c>--compare FILE</c>: every figure of this run beside the same figure (scenario, figure, unit)
/// of an earlier run's JSON, with this run's value as a ratio of the earlier one, for the direct
/// client and the proxy. Figures only one run has are listed with a dash on the other side.
/// </summary>
internal sealed class BenchComparison
{
    private readonly string _path;
    private readonly string? _started;
    private readonly List<BenchRow> _earlier;

    private BenchComparison(string path, string? started, List<BenchRow> earlier)
    {
        _path = path;
        _started = started;
        _earlier = earlier;
    }

    /// <summary>Reads the earlier run before anything is measured; a file that is not a result throws <see cref="FormatException"/>.</summary>
    public static BenchComparison Load(string earlierJsonPath)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(earlierJsonPath));
            var root = document.RootElement;
            var earlier = root.GetProperty("results").EnumerateArray()
                .Select(r => new BenchRow(
                    r.GetProperty("scenario").GetString() ?? string.Empty,
                    r.GetProperty("figure").GetString() ?? string.Empty,
                    r.GetProperty("unit").GetString() ?? string.Empty,
                    Number(r, "direct"),
                    Number(r, "proxy")))
                .ToList();
            var started = root.TryGetProperty("started", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            return new BenchComparison(earlierJsonPath, started, earlier);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            throw new FormatException($"--compare: {earlierJsonPath} is not a benchmark result: {e.Message}", e);
        }
    }

    public string ToMarkdown(IReadOnlyList<BenchRow> current)
    {
        var earlier = _earlier;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Compared with {_path}{(_started is null ? string.Empty : $" (run {_started})")}:");
        text.AppendLine();
        text.AppendLine("| Scenario | Figure | Direct then | Direct now | now/then | Proxy then | Proxy now | now/then |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        var matched = new HashSet<BenchRow>();
        foreach (var row in current)
        {
            var before = earlier.FirstOrDefault(e => Same(e, row));
            if (before is not null)
            {
                matched.Add(before);
            }

            text.AppendLine(Line(row, before?.Direct, row.Direct, before?.Proxy, row.Proxy));
        }

        foreach (var before in earlier.Where(e => !matched.Contains(e)))
        {
            text.AppendLine(Line(before, before.Direct, null, before.Proxy, null));
        }

        return text.ToString();
    }

    private static bool Same(BenchRow a, BenchRow b) => a.Scenario == b.Scenario && a.Figure == b.Figure && a.Unit == b.Unit;

    private static string Line(BenchRow row, double? directThen, double? directNow, double? proxyThen, double? proxyNow) =>
        string.Create(CultureInfo.InvariantCulture,
            $"| {row.Scenario} | {row.Figure} ({row.Unit}) | {BenchReport.Format(directThen)} | {BenchReport.Format(directNow)} | {Ratio(directNow, directThen)} | {BenchReport.Format(proxyThen)} | {BenchReport.Format(proxyNow)} | {Ratio(proxyNow, proxyThen)} |");

    private static string Ratio(double? now, double? then) =>
        now is { } n && then is > 0 ? (n / then.Value).ToString("0.00", CultureInfo.InvariantCulture) + "×" : "–";

    private static double? Number(JsonElement row, string name) =>
        row.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}
