using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

using Confluent.Kafka;

using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Sockets;

/// <summary>
/// Spec §2: every refusal of /socket/in is an HTTP JSON answer before the
/// upgrade, and nothing is left open afterwards.
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class HandshakeRefusalTests(ProxyFixture proxy)
{
    private const string StreamOpened = "Produce stream opened";
    private const string StreamClosed = "Produce stream closed";
    private const string TopicPlaceholder = "{topic}";

    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Query (with {topic} for an existing topic), expected status, fragments the message must contain.</summary>
    public static TheoryData<string, HttpStatusCode, string[]> Refusals() => new()
    {
        { "topic={topic}", HttpStatusCode.BadRequest, ["clientId", "missing"] },
        { "clientId=&topic={topic}", HttpStatusCode.BadRequest, ["clientId", "missing"] },
        { "clientId=c", HttpStatusCode.BadRequest, ["'topic'", "missing"] },
        { "clientId=c&topic=", HttpStatusCode.BadRequest, ["'topic'", "missing"] },
        { "clientId=c&topic={topic}&socketPayload=avro", HttpStatusCode.BadRequest, ["'avro' is not a valid socket payload"] },
        { "clientId=c&topic={topic}&keyType=bogus", HttpStatusCode.BadRequest, ["'bogus' is not a valid format type", "keyType"] },
        { "clientId=c&topic={topic}&valType=varchar", HttpStatusCode.BadRequest, ["'varchar' is not a valid format type", "valType"] },
        { "clientId=c&topic={topic}&transactional=maybe", HttpStatusCode.BadRequest, ["'maybe'", "transactional", "true, false"] },
        { "clientId=c&topic={topic}&transactional=true&instanceId=i", HttpStatusCode.BadRequest, ["ransaction", "not enabled"] },
        { "clientId=c&topic=bad%20topic%21", HttpStatusCode.BadRequest, ["'bad topic!' is not a valid topic name"] },
        { "clientId=c&topic=..", HttpStatusCode.BadRequest, ["'..' is not a valid topic name"] },
        { "clientId=c&clientId=d&topic={topic}", HttpStatusCode.BadRequest, ["'clientId'", "more than once"] },
        { "clientId=c&topic={topic}&topic={topic}", HttpStatusCode.BadRequest, ["'topic'", "more than once"] },
        { "clientId=c&topic={topic}&valType=int&valType=int", HttpStatusCode.BadRequest, ["'valType'", "more than once"] },
        { $"clientId={new string('c', 300)}&topic={{topic}}", HttpStatusCode.BadRequest, ["'clientId'", "longer than 255"] },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Refusal_InvalidQuery_IsHttpJsonWithStatusAndMessage(string query, HttpStatusCode status, string[] fragments)
    {
        var topic = proxy.CreateTopic(partitions: 1);

        var refusal = await HandshakeProbe.UpgradeAsync(proxy.EdgeHttp, "/socket/in?" + query.Replace(TopicPlaceholder, topic, StringComparison.Ordinal));

        var message = AssertJsonRefusal(refusal, status);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Refusal_UnknownTopic_Is400NamingTheTopicAndDoesNotCreateIt()
    {
        var missing = "missing-" + Guid.NewGuid().ToString("N")[..12];

        var refusal = await HandshakeProbe.UpgradeAsync(proxy.EdgeHttp, $"/socket/in?clientId=c&topic={missing}");

        Assert.Equal($"Topic {missing} does not exist", AssertJsonRefusal(refusal, HttpStatusCode.BadRequest));
        Assert.DoesNotContain(missing, ListTopics());
    }

    [Fact]
    public async Task Refusal_HostileValue_IsEchoedOnlyAsEscapedJsonText()
    {
        const string hostile = "\"}<script>alert(1)</script>\\";
        var topic = proxy.CreateTopic(partitions: 1);

        var refusal = await HandshakeProbe.UpgradeAsync(
            proxy.EdgeHttp, $"/socket/in?clientId=c&topic={topic}&socketPayload={Uri.EscapeDataString(hostile)}");

        var message = AssertJsonRefusal(refusal, HttpStatusCode.BadRequest);
        Assert.StartsWith($"'{hostile}' is not a valid socket payload", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusal_PlainGetWithoutUpgradeHeaders_Is400ExpectedWebSocketUpgrade()
    {
        var topic = proxy.CreateTopic(partitions: 1);

        var refusal = await HandshakeProbe.GetAsync(proxy.EdgeHttp, $"/socket/in?clientId=c&topic={topic}");

        Assert.Equal("Expected WebSocket upgrade request", AssertJsonRefusal(refusal, HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Refusal_PostOnSocketPath_Is405Json()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        using var content = new StringContent("""{"value":{"value":"v"}}""", Encoding.UTF8, "application/json");

        using var response = await s_http.PostAsync(new Uri(proxy.EdgeHttp, $"/socket/in?clientId=c&topic={topic}"), content);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var message = AssertJsonRefusal(
            (response.StatusCode, body.RootElement, response.Content.Headers.ContentType?.MediaType ?? ""),
            HttpStatusCode.MethodNotAllowed);
        Assert.Contains("GET", message, StringComparison.Ordinal);
        Assert.Equal(["GET"], response.Content.Headers.Allow);
    }

    [Fact]
    public async Task Refusals_AllOfThem_LeaveNoStreamOpenAndANormalSocketStillProduces()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await WaitForBalancedStreamsAsync();
        var openedBefore = proxy.Bridge.CountLog(StreamOpened);

        foreach (var row in Refusals())
        {
            var query = ((string)row[0]).Replace(TopicPlaceholder, topic, StringComparison.Ordinal);
            var refusal = await HandshakeProbe.UpgradeAsync(proxy.EdgeHttp, "/socket/in?" + query);
            AssertJsonRefusal(refusal, (HttpStatusCode)row[1]);
        }

        AssertJsonRefusal(
            await HandshakeProbe.UpgradeAsync(proxy.EdgeHttp, "/socket/in?clientId=c&topic=missing-" + Guid.NewGuid().ToString("N")),
            HttpStatusCode.BadRequest);
        AssertJsonRefusal(await HandshakeProbe.GetAsync(proxy.EdgeHttp, $"/socket/in?clientId=c&topic={topic}"), HttpStatusCode.BadRequest);

        // No refusal opened a produce stream on the bridge, and none is left open.
        Assert.Equal(openedBefore, proxy.Bridge.CountLog(StreamOpened));
        await WaitForBalancedStreamsAsync();

        await using (var socket = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=after-refusals&topic={topic}")))
        {
            await socket.SendTextAsync("""{"value":{"value":"after the refusals"},"messageId":"ok"}""");
            var ack = await socket.ReceiveJsonAsync();
            Assert.Equal("ok", ack.GetProperty("messageId").GetString());
            Assert.Equal(0, ack.GetProperty("offset").GetInt64());
            await socket.CloseAsync();
        }

        var record = Assert.Single(await KafkaDirect.ReadAsync(proxy.Kafka.BootstrapServers, topic, 1));
        Assert.Equal("after the refusals"u8.ToArray(), record.Message.Value);
        // The bridge's log is read through a pipe: its line may come after the ack.
        await Eventually.TrueAsync(() => proxy.Bridge.CountLog(StreamOpened) > openedBefore, "the normal socket's stream opened");
        Assert.Equal(openedBefore + 1, proxy.Bridge.CountLog(StreamOpened));
        await WaitForBalancedStreamsAsync();
    }

    [Fact]
    public async Task Refusal_BridgeDown_Is503JsonWithinDeadlineRevealingNoAddress()
    {
        var port = FreePort();
        await using var edge = await ServiceProcess.StartEdgeAsync(
            new Uri($"http://127.0.0.1:{port}"),
            new Dictionary<string, string?> { ["Bridge__OpenTimeout"] = "00:00:05", ["Sockets__RetryAfter"] = "00:00:02.5" });

        var clock = Stopwatch.StartNew();
        var refusal = await HandshakeProbe.UpgradeAsync(edge.Address, "/socket/in?clientId=c&topic=demo");
        clock.Stop();

        var message = AssertJsonRefusal(refusal, HttpStatusCode.ServiceUnavailable);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"The refusal took {clock.Elapsed}.");
        AssertRevealsNoAddress(message, port);

        // Retry-After in whole seconds, rounded up from the setting.
        var (_, _, retryAfter) = await HandshakeProbe.UpgradeWithRetryAfterAsync(edge.Address, "/socket/out?clientId=c&topic=demo");
        Assert.Equal("3", retryAfter);

        var cluster = await HandshakeProbe.GetAsync(edge.Address, "/kafka/cluster/info");
        AssertRevealsNoAddress(AssertJsonRefusal(cluster, HttpStatusCode.ServiceUnavailable), port);

        var ready = await HandshakeProbe.GetAsync(edge.Address, "/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.Status);
        Assert.Equal("application/json", ready.ContentType);
        AssertRevealsNoAddress(ready.Body.GetRawText(), port);

        // The edge itself is alive: liveness does not depend on the bridge.
        var health = await HandshakeProbe.GetAsync(edge.Address, "/healthcheck");
        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.False(edge.HasExited);
    }

    private static string AssertJsonRefusal((HttpStatusCode Status, JsonElement Body, string ContentType) refusal, HttpStatusCode status)
    {
        Assert.True(status == refusal.Status, $"Expected {(int)status}, got {(int)refusal.Status}: {refusal.Body.GetRawText()}");
        Assert.Equal("application/json", refusal.ContentType);
        Assert.Equal(JsonValueKind.Object, refusal.Body.ValueKind);
        var member = Assert.Single(refusal.Body.EnumerateObject());
        Assert.Equal("message", member.Name);
        Assert.Equal(JsonValueKind.String, member.Value.ValueKind);
        var message = member.Value.GetString()!;
        Assert.False(string.IsNullOrWhiteSpace(message));
        return message;
    }

    private static void AssertRevealsNoAddress(string text, int port)
    {
        Assert.DoesNotContain("127.0.0.1", text, StringComparison.Ordinal);
        Assert.DoesNotContain(port.ToString(System.Globalization.CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
    }

    private Task WaitForBalancedStreamsAsync() =>
        Eventually.TrueAsync(
            () => proxy.Bridge.CountLog(StreamOpened) == proxy.Bridge.CountLog(StreamClosed),
            $"as many '{StreamClosed}' as '{StreamOpened}' lines in the bridge log");

    private List<string> ListTopics()
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = proxy.Kafka.BootstrapServers }).Build();
        // The full listing: naming the topic would create it on the embedded broker.
        return admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Select(t => t.Topic).ToList();
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
