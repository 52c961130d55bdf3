using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace KafkaWsProxy.Benchmarks.Infrastructure;

/// <summary>One figure of one scenario, for the direct client and the proxy; either may be absent.</summary>
internal sealed record BenchRow(string Scenario, string Figure, string Unit, double? Direct, double? Proxy, string? Note = null)
{
    public double? Ratio => Direct is > 0 && Proxy is { } proxy ? proxy / Direct.Value : null;
}

/// <summary>The run's figures, as a Markdown table and as JSON.</summary>
internal sealed class BenchReport(BenchOptions options, string kafka)
{
    private readonly List<BenchRow> _rows = [];

    public DateTime StartedUtc { get; } = DateTime.UtcNow;

    public static string Machine =>
        $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture}), {RuntimeInformation.FrameworkDescription}";

    public IReadOnlyList<BenchRow> Rows => _rows;

    public void Add(BenchRow row) => _rows.Add(row);

    /// <summary>The row of this run with that scenario, figure and unit, if it was measured.</summary>
    public BenchRow? Find(string scenario, string figure, string unit) =>
        _rows.FirstOrDefault(r => r.Scenario == scenario && r.Figure == figure && r.Unit == unit);

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {Machine}  ");
        text.AppendLine(CultureInfo.InvariantCulture, $"Kafka: {kafka}  ");
        text.AppendLine(CultureInfo.InvariantCulture, $"Run: {StartedUtc:yyyy-MM-dd HH:mm:ss} UTC{(options.Quick ? " (--quick)" : string.Empty)}");
        text.AppendLine();
        text.AppendLine("| Scenario | Figure | Direct | Proxy | Proxy/Direct | Note |");
        text.AppendLine("|---|---|---:|---:|---:|---|");
        foreach (var row in _rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Scenario} | {row.Figure} ({row.Unit}) | {Format(row.Direct)} | {Format(row.Proxy)} | {FormatRatio(row.Ratio)} | {row.Note} |");
        }

        return text.ToString();
    }

    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("started", StartedUtc);
            json.WriteString("machine", Machine);
            json.WriteNumber("cores", Environment.ProcessorCount);
            json.WriteString("os", RuntimeInformation.OSDescription);
            json.WriteString("dotnet", RuntimeInformation.FrameworkDescription);
            json.WriteString("kafka", kafka);
            json.WriteBoolean("quick", options.Quick);
            json.WriteStartObject("options");
            json.WriteNumber("produceRecords", options.ProduceRecords);
            json.WriteNumber("sockets", options.ProduceSockets);
            json.WriteNumber("inFlight", options.InFlight);
            json.WriteNumber("consumeRecords", options.ConsumeRecords);
            json.WriteNumber("commitEvery", options.CommitEvery);
            json.WriteNumber("latencyRate", options.LatencyRate);
            json.WriteNumber("latencySeconds", options.LatencySeconds);
            json.WriteNumber("valueBytes", options.ValueBytes);
            json.WriteStartArray("connections");
            foreach (var k in options.Connections)
            {
                json.WriteNumberValue(k);
            }

            json.WriteEndArray();
            json.WriteNumber("holdSeconds", options.HoldSeconds);
            json.WriteEndObject();
            json.WriteStartArray("results");
            foreach (var row in _rows)
            {
                json.WriteStartObject();
                json.WriteString("scenario", row.Scenario);
                json.WriteString("figure", row.Figure);
                json.WriteString("unit", row.Unit);
                WriteNumber(json, "direct", row.Direct);
                WriteNumber(json, "proxy", row.Proxy);
                WriteNumber(json, "ratio", row.Ratio);
                if (row.Note is not null)
                {
                    json.WriteString("note", row.Note);
                }
                else
                {
                    json.WriteNull("note");
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>Writes bench-&lt;timestamp&gt;.md (with the comparison, if any) and .json; returns the two paths.</summary>
    public async Task<(string Markdown, string Json)> WriteAsync(string directory, string? comparison = null)
    {
        Directory.CreateDirectory(directory);
        var stem = Path.Combine(directory, $"bench-{StartedUtc.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
        await File.WriteAllTextAsync(stem + ".md", comparison is null ? ToMarkdown() : ToMarkdown() + Environment.NewLine + comparison);
        await File.WriteAllBytesAsync(stem + ".json", ToJson());
        return (stem + ".md", stem + ".json");
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            json.WriteNumber(name, Math.Round(v, 4));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string FormatRatio(double? ratio) => ratio switch
    {
        null => "–",
        < 0.1 => ratio.Value.ToString("0.000", CultureInfo.InvariantCulture) + "×",
        _ => ratio.Value.ToString("0.00", CultureInfo.InvariantCulture) + "×",
    };

    public static string Format(double? value) => value switch
    {
        null => "–",
        >= 1000 => value.Value.ToString("N0", CultureInfo.InvariantCulture),
        >= 10 => value.Value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.Value.ToString("0.###", CultureInfo.InvariantCulture),
    };
}
