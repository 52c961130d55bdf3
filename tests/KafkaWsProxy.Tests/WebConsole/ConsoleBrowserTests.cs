using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.WebConsole;

/// <summary>
/// The console page (GET /) in a real headless Chromium against the real edge,
/// bridge and embedded broker: what a user sees when producing, consuming with
/// manual commits, being refused, and being closed.
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class ConsoleBrowserTests(ProxyFixture proxy) : IDisposable
{
    private readonly HeadlessChromium _chromium = HeadlessChromium.Start();

    [Fact]
    public async Task Produce_RecordFromTheForm_ShowsItsAck_AndABadValueShowsTheErrorFrame()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await OpenConsoleAsync(proxy.EdgeHttp);
        _chromium.Type("in-topic", topic);
        _chromium.Find("in-connect").Click();
        await _chromium.UntilTextAsync("in-status", s => s == "Open.", "the producer socket opens");

        _chromium.Type("record-key", "k1");
        _chromium.Type("record-value", "hello from the console");
        _chromium.Type("record-headers", "origin: console");
        _chromium.Type("record-messageId", "m-1");
        _chromium.Find("record-send").Click();
        await _chromium.UntilTextAsync("acks-count", s => s.Contains("acknowledged 1", StringComparison.Ordinal), "the record is acknowledged");

        _chromium.Choose("record-valueFormat", "int");
        _chromium.Type("record-value", "not a number");
        _chromium.Type("record-messageId", "m-2");
        _chromium.Find("record-send").Click();
        await _chromium.UntilTextAsync("acks-count", s => s.Contains("errors 1", StringComparison.Ordinal), "the bad record gets an error frame");

        var rows = _chromium.Rows("acks-body");
        Assert.Equal(2, rows.Count);
        Assert.StartsWith("1 | m-1 | acknowledged | 0 | 0 | ", rows[0], StringComparison.Ordinal);
        Assert.StartsWith("2 | m-2 | error invalid_value: ", rows[1], StringComparison.Ordinal);
        Assert.Equal("Open.", _chromium.Text("in-status"));

        var stored = await KafkaDirect.ReadAsync(proxy.Kafka.BootstrapServers, topic, 1);
        Assert.Equal("hello from the console", System.Text.Encoding.UTF8.GetString(stored[0].Message.Value!));
        // The bridge adds the trace context (docs/operations.md, Traces); the client's own header is kept as sent.
        Assert.Equal("origin", Assert.Single(stored[0].Message.Headers, h => h.Key != "traceparent").Key);
    }

    [Fact]
    public async Task Consume_ClickCommitOnARecord_ReconnectedGroupGetsOnlyLaterRecords()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 3);
        await OpenConsoleAsync(proxy.EdgeHttp);
        _chromium.Type("out-topic", topic);
        _chromium.Type("out-groupId", $"g-{topic}");
        _chromium.Choose("out-autoCommit", "false");
        _chromium.Find("out-connect").Click();
        await _chromium.UntilTextAsync("records-count", s => s.StartsWith("Records 3 ", StringComparison.Ordinal), "three records arrive");

        var rows = _chromium.Rows("records-body");
        Assert.Contains("v2 (string)", rows[2], StringComparison.Ordinal);
        _chromium.Find("records-body").FindElements(OpenQA.Selenium.By.TagName("button"))[2].Click();
        await _chromium.UntilTextAsync("events", s => s.Contains($"commit sent for {topic}-0-2-", StringComparison.Ordinal), "the commit is sent");
        _chromium.Find("out-disconnect").Click();
        await _chromium.UntilTextAsync("out-status", s => s.StartsWith("Closed: code 1000", StringComparison.Ordinal), "the socket closes");
        Assert.DoesNotContain("error", _chromium.Rows("records-body")[2], StringComparison.Ordinal);

        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 1, prefix: "new");
        _chromium.Find("out-connect").Click();
        await _chromium.UntilTextAsync("records-count", s => s.StartsWith("Records 1 ", StringComparison.Ordinal), "the reconnected socket gets a record");

        // Had the commit been lost, v0..v2 would come again before new0 (one partition, in order).
        Assert.Contains("new0 (string)", _chromium.Rows("records-body")[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consume_BatchSize_ShowsEveryRecordOfTheArrayFramesAndCountsThem()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await KafkaSeed.ProduceAsync(proxy.Kafka.BootstrapServers, topic, 5);
        await OpenConsoleAsync(proxy.EdgeHttp);
        _chromium.Type("out-topic", topic);
        _chromium.Type("out-batchSize", "2");
        _chromium.Find("out-connect").Click();
        await _chromium.UntilTextAsync("records-count", s => s.StartsWith("Records 5 ", StringComparison.Ordinal), "five records arrive");

        var rows = _chromium.Rows("records-body");
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"v{i} (string)"), rows.Select(r => r.Split(" | ")[6]));
        // Frames hold at most two records each: at least three frames for five records.
        var frames = rows.Select(r => r.Split(" | ")[1]).Distinct().Count();
        Assert.InRange(frames, 3, 5);
        Assert.All(rows.GroupBy(r => r.Split(" | ")[1]), frame => Assert.InRange(frame.Count(), 1, 2));
    }

    [Fact]
    public async Task Refusal_MissingTopic_ShowsTheEdgesStatusAndMessage()
    {
        await OpenConsoleAsync(proxy.EdgeHttp);
        _chromium.Type("out-topic", "no-such-topic-for-the-console");
        _chromium.Find("out-connect").Click();

        await _chromium.UntilTextAsync("out-status", s => s.StartsWith("Refused", StringComparison.Ordinal), "the refusal is shown");
        Assert.Equal("Refused: HTTP 400: Topic no-such-topic-for-the-console does not exist", _chromium.Text("out-status"));
        Assert.False(_chromium.Find("out-connect").GetAttribute("disabled") is "true");
    }

    [Fact]
    public async Task Close_FrameTooLarge_ShowsCode1009AndTheReason()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await OpenConsoleAsync(proxy.EdgeHttp);
        _chromium.Type("in-topic", topic);
        _chromium.Find("in-connect").Click();
        await _chromium.UntilTextAsync("in-status", s => s == "Open.", "the producer socket opens");

        _chromium.SetValue("raw-frame", new string('x', 1024 * 1024 + 1));
        _chromium.Find("raw-send").Click();

        await _chromium.UntilTextAsync("in-status", s => s.StartsWith("Closed", StringComparison.Ordinal), "the close is shown");
        Assert.Equal("Closed: code 1009 (frame too big). Reason: Frame larger than 1048576 bytes.", _chromium.Text("in-status"));
    }

    private async Task OpenConsoleAsync(Uri edge)
    {
        _chromium.Driver.Navigate().GoToUrl(edge);
        await _chromium.UntilTextAsync("in-status", s => s == "Not connected.", "the console loads");
    }

    public void Dispose() => _chromium.Dispose();
}
