using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Security;

/// <summary>Spec §7: HTTP Basic and JWT bearer on the edge, against the real processes.</summary>
[Collection(ProxyTests.Name)]
public sealed class AuthenticationTests(ProxyFixture proxy)
{
    private const string AlicePassword = "alice-Pa55-word";
    private const string BobPassword = "bob-hashed-Pa55";

    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Basic_NoCredentials401WithChallenge_WrongPassword401_RightAndHashedPasswordsWork()
    {
        await using var edge = await StartEdgeAsync(BasicSettings());
        var topic = proxy.CreateTopic(partitions: 1);
        var path = $"/socket/in?clientId=basic&topic={topic}";

        var anonymous = await UpgradeAsync(edge, path, authorization: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.Status);
        Assert.StartsWith("Basic realm=", anonymous.Challenge, StringComparison.Ordinal);
        Assert.Contains("Authentication required", anonymous.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await UpgradeAsync(edge, path, Basic("alice", "wrong"))).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await UpgradeAsync(edge, path, Basic("nobody", AlicePassword))).Status);

        foreach (var (user, password) in new[] { ("alice", AlicePassword), ("bob", BobPassword) })
        {
            await using var socket = await TestSocket.ConnectAsync(Ws(edge, path), o => o.SetRequestHeader("Authorization", Basic(user, password).ToString()));
            await socket.SendTextAsync($"{{\"value\":{{\"value\":\"{user}\"}},\"messageId\":\"{user}\"}}");
            Assert.Equal(user, (await socket.ReceiveJsonAsync()).GetProperty("messageId").GetString());
        }

        AssertNeverLogged(edge, AlicePassword, BobPassword, Basic("alice", AlicePassword).Parameter!, Basic("alice", "wrong").Parameter!);
    }

    [Fact]
    public async Task Basic_HealthcheckProtectedByDefault_AndOpenWhenTurnedOff()
    {
        await using var protectedEdge = await StartEdgeAsync(BasicSettings());
        await using var openEdge = await StartEdgeAsync(BasicSettings(("Auth__ProtectHealthEndpoints", "false")));

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(protectedEdge, "/healthcheck", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(protectedEdge, "/healthcheck", Basic("alice", AlicePassword))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(openEdge, "/healthcheck", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(openEdge, "/kafka/cluster/info", null)).StatusCode);
    }

    [Fact]
    public async Task Jwt_ValidTokenInHeaderOrAccessTokenParameter_Works()
    {
        await using var idp = await TestIdentityProvider.StartAsync();
        await using var edge = await StartEdgeAsync(JwtSettings(idp));
        var topic = proxy.CreateTopic(partitions: 1);
        var token = idp.Token();

        await using (var viaHeader = await TestSocket.ConnectAsync(Ws(edge, $"/socket/in?clientId=jwt&topic={topic}"),
            o => o.SetRequestHeader("Authorization", "Bearer " + token)))
        {
            await viaHeader.SendTextAsync("""{"value":{"value":"h"},"messageId":"header"}""");
            Assert.Equal("header", (await viaHeader.ReceiveJsonAsync()).GetProperty("messageId").GetString());
        }

        await using var viaQuery = await TestSocket.ConnectAsync(Ws(edge, $"/socket/in?clientId=jwt&topic={topic}&access_token={token}"));
        await viaQuery.SendTextAsync("""{"value":{"value":"q"},"messageId":"query"}""");
        Assert.Equal("query", (await viaQuery.ReceiveJsonAsync()).GetProperty("messageId").GetString());
        AssertNeverLogged(edge, token);
    }

    [Fact]
    public async Task Jwt_ConfiguredJwksWithoutDiscovery_ValidTokenWorksOthersAre401()
    {
        await using var idp = await TestIdentityProvider.StartAsync();
        await using var edge = await StartEdgeAsync(new Dictionary<string, string?>
        {
            ["Auth__Jwt__Enabled"] = "true",
            ["Auth__Jwt__SigningKeysJwks"] = idp.Jwks,
            ["Auth__Jwt__Issuer"] = idp.Issuer,
            ["Auth__Jwt__Audience"] = TestIdentityProvider.Audience,
        });
        await idp.DisposeAsync();
        var topic = proxy.CreateTopic(partitions: 1);

        await using var socket = await TestSocket.ConnectAsync(Ws(edge, $"/socket/in?clientId=jwks&topic={topic}&access_token={idp.Token()}"));
        await socket.SendTextAsync("""{"value":{"value":"k"},"messageId":"jwks"}""");
        Assert.Equal("jwks", (await socket.ReceiveJsonAsync()).GetProperty("messageId").GetString());
        var forged = await UpgradeAsync(edge, $"/socket/in?clientId=jwks&topic={topic}",
            new AuthenticationHeaderValue("Bearer", idp.Token(signingKey: TestIdentityProvider.OtherKey())));
        Assert.Equal(HttpStatusCode.Unauthorized, forged.Status);
    }

    [Fact]
    public async Task Jwt_BadTokens_Are401()
    {
        await using var idp = await TestIdentityProvider.StartAsync();
        await using var edge = await StartEdgeAsync(JwtSettings(idp));
        var topic = proxy.CreateTopic(partitions: 1);
        var path = $"/socket/in?clientId=jwt&topic={topic}";
        var bad = new Dictionary<string, string>
        {
            ["wrong signature"] = idp.Token(signingKey: TestIdentityProvider.OtherKey()),
            ["wrong issuer"] = idp.Token(issuer: "http://evil.example"),
            ["wrong audience"] = idp.Token(audience: "someone-else"),
            ["expired"] = idp.Token(expires: DateTime.UtcNow.AddMinutes(-5)),
            ["not a token"] = "foo.bar.baz",
        };

        foreach (var (what, token) in bad)
        {
            var answer = await UpgradeAsync(edge, path, new AuthenticationHeaderValue("Bearer", token));
            Assert.True(answer.Status == HttpStatusCode.Unauthorized, $"{what}: {answer.Status} {answer.Message}");
            Assert.StartsWith("Bearer", answer.Challenge, StringComparison.Ordinal);
            Assert.DoesNotContain(token, answer.Message, StringComparison.Ordinal);
        }

        AssertNeverLogged(edge, [.. bad.Values.Where(t => t != "foo.bar.baz")]);
    }

    [Fact]
    public async Task Jwt_IdentityProviderDown_Is503Json()
    {
        var idp = await TestIdentityProvider.StartAsync();
        var token = idp.Token();
        var settings = JwtSettings(idp);
        await idp.DisposeAsync();
        await using var edge = await StartEdgeAsync(settings);

        var answer = await UpgradeAsync(edge, "/socket/in?clientId=jwt&topic=demo", new AuthenticationHeaderValue("Bearer", token));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.Status);
        Assert.Contains("identity provider", answer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jwt_TokenExpiringTwoSecondsAfterConnect_ClosesSocketWith1008()
    {
        await using var idp = await TestIdentityProvider.StartAsync();
        await using var edge = await StartEdgeAsync(JwtSettings(idp));
        var topic = proxy.CreateTopic(partitions: 1);

        // A busy machine can take longer to open the socket than a short lifetime: a token that had
        // expired when its handshake was refused is tried again with twice the lifetime.
        TestSocket? opened = null;
        var lifetime = TimeSpan.FromSeconds(3);
        while (opened is null)
        {
            var expires = DateTime.UtcNow + lifetime;
            var token = idp.Token(expires: expires);
            try
            {
                opened = await TestSocket.ConnectAsync(Ws(edge, $"/socket/out?clientId=exp-{topic}&topic={topic}&access_token={token}"));
            }
            catch (WebSocketException) when (DateTime.UtcNow >= expires && lifetime < TimeSpan.FromMinutes(1))
            {
                lifetime *= 2;
            }
        }

        await using var socket = opened;
        var frames = await socket.ReceiveUntilCloseAsync(lifetime + TimeSpan.FromSeconds(15));

        Assert.Empty(frames);
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, socket.CloseStatus);
        Assert.Contains("expired", socket.CloseDescription, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KafkaAuthHeader_Malformed_Is400AndNeverEchoed()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        foreach (var value in new[] { "%%%not-base64", Convert.ToBase64String(Encoding.UTF8.GetBytes("no-colon")), Convert.ToBase64String(Encoding.UTF8.GetBytes(":nouser")) })
        {
            using var request = UpgradeRequest(proxy.EdgeHttp, $"/socket/in?clientId=k&topic={topic}");
            request.Headers.TryAddWithoutValidation("X-Kafka-Auth", value);
            using var response = await s_http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("X-Kafka-Auth", body, StringComparison.Ordinal);
            Assert.DoesNotContain(value, body, StringComparison.Ordinal);
            Assert.DoesNotContain(value, proxy.Edge.Log, StringComparison.Ordinal);
            Assert.DoesNotContain(value, proxy.Bridge.Log, StringComparison.Ordinal);
        }
    }

    /// <summary>Spec §7: credentials never appear in logs (the edge's, and the shared bridge's).</summary>
    private void AssertNeverLogged(ServiceProcess edge, params string[] secrets)
    {
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, edge.Log, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, proxy.Bridge.Log, StringComparison.Ordinal);
        }
    }

    private static Dictionary<string, string?> BasicSettings(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Auth__Basic__Enabled"] = "true",
            ["Auth__Basic__Users__alice"] = AlicePassword,
            ["Auth__Basic__Users__bob"] = BridgeFreePasswordHash(BobPassword),
        };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static Dictionary<string, string?> JwtSettings(TestIdentityProvider idp) => new()
    {
        ["Auth__Jwt__Enabled"] = "true",
        ["Auth__Jwt__Authority"] = idp.Authority.ToString(),
        ["Auth__Jwt__Audience"] = TestIdentityProvider.Audience,
        ["Auth__Jwt__RequireHttpsMetadata"] = "false",
        ["Auth__Jwt__ClockSkew"] = "00:00:00",
    };

    /// <summary>
    /// The hash format docs/security.md documents (pbkdf2-sha256$iterations$salt$hash), made here
    /// from that description rather than by the edge's code, which this project does not reference.
    /// </summary>
    private static string BridgeFreePasswordHash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, 210_000, HashAlgorithmName.SHA256, 32);
        return "pbkdf2-sha256$210000$" + Convert.ToBase64String(salt) + "$" + Convert.ToBase64String(hash);
    }

    private Task<ServiceProcess> StartEdgeAsync(Dictionary<string, string?> settings) =>
        ServiceProcess.StartEdgeAsync(proxy.Bridge.Address, settings);

    private static Uri Ws(ServiceProcess edge, string pathAndQuery) => new($"ws://{edge.Address.Authority}{pathAndQuery}");

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private static HttpRequestMessage UpgradeRequest(Uri edge, string pathAndQuery)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(edge, pathAndQuery));
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new ProductHeaderValue("websocket"));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
        return request;
    }

    private static async Task<(HttpStatusCode Status, string Message, string Challenge)> UpgradeAsync(
        ServiceProcess edge, string pathAndQuery, AuthenticationHeaderValue? authorization)
    {
        using var request = UpgradeRequest(edge.Address, pathAndQuery);
        request.Headers.Authorization = authorization;
        using var response = await s_http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = System.Text.Json.JsonDocument.Parse(body);
        return (response.StatusCode, json.RootElement.GetProperty("message").GetString()!, response.Headers.WwwAuthenticate.ToString());
    }

    private static async Task<HttpResponseMessage> GetAsync(ServiceProcess edge, string path, AuthenticationHeaderValue? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(edge.Address, path)) { Headers = { Authorization = authorization } };
        return await s_http.SendAsync(request);
    }
}
