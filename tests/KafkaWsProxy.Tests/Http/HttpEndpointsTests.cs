using System.Net;
using System.Text;
using System.Text.Json;

using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Http;

/// <summary>Spec §1: the edge's plain HTTP endpoints, and JSON 404 for anything else.</summary>
[Collection(ProxyTests.Name)]
public sealed class HttpEndpointsTests(ProxyFixture proxy)
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Healthcheck_EdgeRunning_Is200WithHealthyResponse()
    {
        var (status, body, contentType) = await HandshakeProbe.GetAsync(proxy.EdgeHttp, "/healthcheck");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json", contentType);
        Assert.Equal(JsonValueKind.Object, body.ValueKind);
        Assert.Equal("I'm healthy", body.GetProperty("response").GetString());
        Assert.Single(body.EnumerateObject());
    }

    [Fact]
    public async Task Healthcheck_Head_Is200AndResponsesAreNosniff()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, new Uri(proxy.EdgeHttp, "/healthcheck"));
        using var response = await s_http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["nosniff"], response.Headers.GetValues("X-Content-Type-Options"));
    }

    [Fact]
    public async Task Ready_BridgeAndKafkaReachable_Is200JsonOfTheHealthShape()
    {
        var (status, body, contentType) = await HandshakeProbe.GetAsync(proxy.EdgeHttp, "/health/ready");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json", contentType);
        Assert.Equal(JsonValueKind.Object, body.ValueKind);
        var member = Assert.Single(body.EnumerateObject());
        Assert.Equal("response", member.Name);
        Assert.Equal("Ready.", member.Value.GetString());
    }

    [Fact]
    public async Task Ready_Head_Is200()
    {
        using var request = new HttpRequestMessage(HttpMethod.Head, new Uri(proxy.EdgeHttp, "/health/ready"));
        using var response = await s_http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("POST", "/healthcheck", "GET, HEAD")]
    [InlineData("PUT", "/healthcheck/", "GET, HEAD")]
    [InlineData("POST", "/health/ready", "GET, HEAD")]
    [InlineData("DELETE", "/HEALTH/READY", "GET, HEAD")]
    [InlineData("POST", "/kafka/cluster/info", "GET")]
    [InlineData("HEAD", "/kafka/cluster/info", "GET")]
    public async Task WrongMethod_KnownPath_Is405WithAllowAndJsonMessage(string method, string path, string allow)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(proxy.EdgeHttp, path));
        using var response = await s_http.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(allow, string.Join(", ", response.Content.Headers.Allow));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        if (method != "HEAD")
        {
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Contains(allow, body.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ClusterInfo_EmbeddedBroker_IsJsonArrayWithTheOneBroker()
    {
        var (status, body, contentType) = await HandshakeProbe.GetAsync(proxy.EdgeHttp, "/kafka/cluster/info");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json", contentType);
        Assert.Equal(JsonValueKind.Array, body.ValueKind);
        var broker = Assert.Single(body.EnumerateArray());
        Assert.Equal(1, broker.GetProperty("id").GetInt32());
        var hostPort = $"{broker.GetProperty("host").GetString()}:{broker.GetProperty("port").GetInt32()}";
        Assert.Equal(proxy.Kafka.BootstrapServers, hostPort);
        Assert.Equal(JsonValueKind.Null, broker.GetProperty("rack").ValueKind);
        Assert.Equal(["id", "host", "port", "rack"], broker.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("/nope")]
    [InlineData("/nope/deeper/still")]
    [InlineData("/socket")]
    [InlineData("/socket/in/extra")]
    [InlineData("/kafka")]
    [InlineData("/healthcheck/x")]
    [InlineData("/nope?clientId=c&topic=demo")]
    [InlineData("/nope.js")]
    [InlineData("/health/ready.json")]
    public async Task UnknownPath_Is404JsonWithMessage(string pathAndQuery)
    {
        var (status, body, contentType) = await HandshakeProbe.GetAsync(proxy.EdgeHttp, pathAndQuery);

        AssertNotFoundJson(status, body, contentType);
    }

    [Fact]
    public async Task UnknownPath_LongHostileValue_IsStill404JsonAndEchoesNothing()
    {
        var hostile = Uri.EscapeDataString("<script>alert('x')</script>\"}{\"message\":\"pwned") + new string('A', 3000);

        var (status, body, contentType) = await HandshakeProbe.GetAsync(proxy.EdgeHttp, $"/nope/{hostile}?q={hostile}&%00=%FF%FE");

        AssertNotFoundJson(status, body, contentType);
        var message = body.GetProperty("message").GetString()!;
        Assert.DoesNotContain("<script>", message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("pwned", message, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('A', 100), message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownPath_PostWithBody_Is404Json()
    {
        using var content = new StringContent("{\"value\":1}", Encoding.UTF8, "application/json");

        using var response = await s_http.PostAsync(new Uri(proxy.EdgeHttp, "/nope"), content);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        AssertNotFoundJson(response.StatusCode, body.RootElement, response.Content.Headers.ContentType?.MediaType ?? "");
    }

    [Fact]
    public async Task UnknownPath_WebSocketUpgrade_Is404JsonNotAnUpgrade()
    {
        var (status, body, contentType) = await HandshakeProbe.UpgradeAsync(proxy.EdgeHttp, "/socket/nope?clientId=c&topic=demo");

        AssertNotFoundJson(status, body, contentType);
    }

    private static void AssertNotFoundJson(HttpStatusCode status, JsonElement body, string contentType)
    {
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("application/json", contentType);
        Assert.Equal(JsonValueKind.Object, body.ValueKind);
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("message").GetString()));
    }
}
