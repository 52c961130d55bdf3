using System.Net;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Security;

/// <summary>Spec §7 limits: open sockets per edge, query-string size (frame size: see ProduceFrameErrorsTests).</summary>
[Collection(ProxyTests.Name)]
public sealed class EdgeLimitsTests(ProxyFixture proxy)
{
    [Fact]
    public async Task MaxOpenSockets_OneMoreIsRefusedWith503JsonAndRetryAfter_AndAdmittedOnceOneCloses()
    {
        await using var edge = await ServiceProcess.StartEdgeAsync(proxy.Bridge.Address, new Dictionary<string, string?> { ["Sockets__MaxOpenSockets"] = "2" });
        var topic = proxy.CreateTopic(partitions: 1);
        var path = $"/socket/in?clientId=many&topic={topic}";
        var first = await TestSocket.ConnectAsync(new Uri($"ws://{edge.Address.Authority}{path}"));
        await using var second = await TestSocket.ConnectAsync(new Uri($"ws://{edge.Address.Authority}{path}"));

        var (status, body, retryAfter) = await HandshakeProbe.UpgradeWithRetryAfterAsync(edge.Address, path);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("1", retryAfter);
        Assert.Contains("limit of 2", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        await first.CloseAsync();
        await first.DisposeAsync();
        await using var third = await Eventually.SucceedsAsync<TestSocket, System.Net.WebSockets.WebSocketException>(
            () => TestSocket.ConnectAsync(new Uri($"ws://{edge.Address.Authority}{path}")), "a slot frees", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task KestrelHeaderLimitFromConfiguration_IsApplied()
    {
        await using var edge = await ServiceProcess.StartEdgeAsync(proxy.Bridge.Address, new Dictionary<string, string?> { ["Kestrel__Limits__MaxRequestHeadersTotalSize"] = "2048" });
        using var http = new HttpClient();
        using var small = new HttpRequestMessage(HttpMethod.Get, new Uri(edge.Address, "/healthcheck"));
        using var large = new HttpRequestMessage(HttpMethod.Get, new Uri(edge.Address, "/healthcheck"));
        large.Headers.Add("X-Padding", new string('x', 3000));

        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(small)).StatusCode);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, (await http.SendAsync(large)).StatusCode);
    }

    [Fact]
    public async Task QueryStringOverTheLimit_Is414Json()
    {
        var (status, body, contentType) = await HandshakeProbe.UpgradeAsync(proxy.EdgeHttp, "/socket/in?clientId=c&topic=demo&pad=" + new string('x', 5000));

        Assert.Equal(HttpStatusCode.RequestUriTooLong, status);
        Assert.Equal("application/json", contentType);
        Assert.Contains("query string", body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
