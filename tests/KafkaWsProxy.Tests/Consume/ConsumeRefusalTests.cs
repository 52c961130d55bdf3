using System.Net;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Consume;

/// <summary>Spec §2 and §5: every /socket/out query parameter is validated before the upgrade.</summary>
[Collection(ProxyTests.Name)]
public sealed class ConsumeRefusalTests(ProxyFixture proxy)
{
    [Theory]
    [InlineData("topic=demo", "clientId")]
    [InlineData("clientId=c", "topic")]
    [InlineData("clientId=c&topic=demo&socketPayload=avro", "socket payload")]
    [InlineData("clientId=c&topic=demo&keyType=uuid", "format type")]
    [InlineData("clientId=c&topic=demo&valType=xml", "format type")]
    [InlineData("clientId=c&topic=demo&offsetResetStrategy=newest", "offsetResetStrategy")]
    [InlineData("clientId=c&topic=demo&isolationLevel=serializable", "isolationLevel")]
    [InlineData("clientId=c&topic=demo&rate=-1", "rate")]
    [InlineData("clientId=c&topic=demo&rate=fast", "rate")]
    [InlineData("clientId=c&topic=demo&batchSize=1e3", "batchSize")]
    [InlineData("clientId=c&topic=demo&autoCommit=yes", "autoCommit")]
    public async Task Refusal_InvalidQuery_Is400NamingTheParameter(string query, string named)
    {
        var (status, body, contentType) = await HandshakeProbe.UpgradeAsync(proxy.EdgeHttp, "/socket/out?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/json", contentType);
        Assert.Contains(named, body.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refusal_UnknownTopic_Is400()
    {
        var (status, body, _) = await HandshakeProbe.UpgradeAsync(proxy.EdgeHttp, "/socket/out?clientId=c&topic=missing-topic-x");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("Topic missing-topic-x does not exist", body.GetProperty("message").GetString());
    }
}
