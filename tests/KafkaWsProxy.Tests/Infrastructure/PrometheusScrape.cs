using System.Globalization;
using System.Text.RegularExpressions;

namespace KafkaWsProxy.Tests.Infrastructure;

/// <summary>One scrape of a Prometheus text endpoint, read into samples.</summary>
internal sealed partial class PrometheusScrape
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples;

    private PrometheusScrape(string text)
    {
        Text = text;
        _samples = [];
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#' || SampleLine().Match(line) is not { Success: true } sample)
            {
                continue;
            }

            var labels = LabelPair().Matches(sample.Groups["labels"].Value)
                .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
            _samples.Add((sample.Groups["name"].Value, labels,
                double.Parse(sample.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture)));
        }
    }

    public string Text { get; }

    public static async Task<PrometheusScrape> ReadAsync(Uri metrics, string? basicCredentials = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, metrics);
        if (basicCredentials is not null)
        {
            request.Headers.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(basicCredentials)));
        }

        using var response = await s_http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return new PrometheusScrape(await response.Content.ReadAsStringAsync());
    }

    /// <summary>The sum of the samples of <paramref name="name"/> that have every label given (0 when there is none).</summary>
    public double Value(string name, params (string Label, string Value)[] labels) =>
        _samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Label, out var v) && v == l.Value))
            .Sum(s => s.Value);

    public bool Has(string name) => _samples.Any(s => s.Name == name);

    /// <summary>Scrapes until the condition holds (with exact expectations, a value past them never passes).</summary>
    public static async Task<PrometheusScrape> UntilAsync(Uri metrics, string what, Func<PrometheusScrape, bool> condition, string? basicCredentials = null)
    {
        var deadline = DateTime.UtcNow + Eventually.DefaultTimeout;
        while (true)
        {
            var scrape = await ReadAsync(metrics, basicCredentials);
            if (condition(scrape))
            {
                return scrape;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting for: {what}{Environment.NewLine}Last scrape of {metrics}:{Environment.NewLine}{scrape.Text}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"([a-zA-Z_][a-zA-Z0-9_]*)=""((?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
