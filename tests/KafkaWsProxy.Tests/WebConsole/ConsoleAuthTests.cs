using System.Net;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.WebConsole;

/// <summary>
/// The console on an edge with Basic and JWT on (docs/protocol.md §7): the page
/// is public, its sockets are not; a browser passes a JWT as access_token and
/// Basic credentials in the socket URL.
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class ConsoleAuthTests(ProxyFixture proxy)
{
    private const string Password = "console-Pa55";
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task AuthOn_PageAndItsFilesArePublic_ButHealthAndClusterInfoAreNot()
    {
        await using var idp = await TestIdentityProvider.StartAsync();
        await using var edge = await StartEdgeAsync(idp);

        foreach (var (path, type) in new[] { ("/", "text/html"), ("/console/app.js", "text/javascript"), ("/console/app.css", "text/css") })
        {
            using var response = await s_http.GetAsync(new Uri(edge.Address, path));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        }

        using var cluster = await s_http.GetAsync(new Uri(edge.Address, "/kafka/cluster/info"));
        Assert.Equal(HttpStatusCode.Unauthorized, cluster.StatusCode);
    }

    [Fact]
    public async Task AuthOn_NoCredentialsRefused401_AccessTokenOpens_BasicInTheUrlOpens_BadTokenRefused401()
    {
        await using var idp = await TestIdentityProvider.StartAsync();
        await using var edge = await StartEdgeAsync(idp);
        var topic = proxy.CreateTopic(partitions: 1);
        using var chromium = HeadlessChromium.Start();
        chromium.Driver.Navigate().GoToUrl(edge.Address);
        await chromium.UntilTextAsync("in-status", s => s == "Not connected.", "the console loads without credentials");
        chromium.Type("in-topic", topic);

        await ConnectAsync(chromium, s => s.StartsWith("Refused", StringComparison.Ordinal));
        Assert.StartsWith("Refused: HTTP 401: Authentication required", chromium.Text("in-status"), StringComparison.Ordinal);

        chromium.Type("auth-token", idp.Token());
        await ConnectAsync(chromium, s => s == "Open.");
        Assert.Contains("access_token=***", chromium.Text("in-url"), StringComparison.Ordinal);
        chromium.Find("in-disconnect").Click();
        await chromium.UntilTextAsync("in-status", s => s.StartsWith("Closed: code 1000", StringComparison.Ordinal), "the socket closes");

        chromium.Type("auth-token", idp.Token(signingKey: TestIdentityProvider.OtherKey()));
        await ConnectAsync(chromium, s => s.StartsWith("Refused", StringComparison.Ordinal));
        Assert.StartsWith("Refused: HTTP 401: ", chromium.Text("in-status"), StringComparison.Ordinal);

        chromium.Find("auth-token").Clear();
        chromium.Type("auth-user", "carol");
        chromium.Type("auth-password", Password);
        await ConnectAsync(chromium, s => s is "Open." || s.StartsWith("Refused", StringComparison.Ordinal));
        Assert.Equal("Open.", chromium.Text("in-status"));
        Assert.DoesNotContain(Password, chromium.Text("in-url"), StringComparison.Ordinal);
    }

    private static async Task ConnectAsync(HeadlessChromium chromium, Func<string, bool> outcome)
    {
        chromium.Find("in-connect").Click();
        await chromium.UntilTextAsync("in-status", s => s != "Connecting..." && outcome(s), "the connection's outcome");
    }

    private Task<ServiceProcess> StartEdgeAsync(TestIdentityProvider idp) =>
        ServiceProcess.StartEdgeAsync(proxy.Bridge.Address, new Dictionary<string, string?>
        {
            ["Auth__Basic__Enabled"] = "true",
            ["Auth__Basic__Users__carol"] = Password,
            ["Auth__Jwt__Enabled"] = "true",
            ["Auth__Jwt__Authority"] = idp.Authority.ToString(),
            ["Auth__Jwt__Audience"] = TestIdentityProvider.Audience,
            ["Auth__Jwt__RequireHttpsMetadata"] = "false",
        });
}
