using System.Net;
using System.Net.Http.Headers;
using System.Text;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Security;

/// <summary>
/// Spec §7: Kafka credentials per socket. The embedded broker does not speak
/// SASL, so a login can never succeed against it: what is shown end to end is
/// the refusal path; the success path is shown at the configuration level
/// (KafkaWsProxy.Edge.Tests Auth/KafkaCredentialsTests, KafkaWsProxy.Bridge.Tests Kafka/KafkaCredentialsTests).
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class KafkaCredentialsTests(ProxyFixture proxy)
{
    [Fact]
    public async Task XKafkaAuth_KafkaRejectsTheLogin_Is401BeforeTheUpgrade()
    {
        // SASL over plaintext towards a broker that has no SASL: the handshake fails, as a rejected login does.
        await using var sasl = await proxy.StartProxyAsync(new Dictionary<string, string?> { ["Kafka__SaslSecurityProtocol"] = "SaslPlaintext" });
        var topic = proxy.CreateTopic(partitions: 1);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(sasl.Edge.Address, $"/socket/in?clientId=k&topic={topic}"));
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new ProductHeaderValue("websocket"));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
        request.Headers.Add("X-Kafka-Auth", Convert.ToBase64String(Encoding.UTF8.GetBytes("kafka-user:kafka-Secret-123")));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("kafka-Secret-123", body, StringComparison.Ordinal);
        Assert.DoesNotContain("kafka-Secret-123", sasl.Bridge.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("kafka-Secret-123", sasl.Edge.Log, StringComparison.Ordinal);
    }
}
