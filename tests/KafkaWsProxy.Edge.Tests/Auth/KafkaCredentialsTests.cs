using System.Security.Claims;
using System.Text;
using KafkaWsProxy.Edge.Auth;
using Microsoft.AspNetCore.Http;

namespace KafkaWsProxy.Edge.Tests.Auth;

/// <summary>
/// docs/protocol.md §7: Kafka credentials per socket, as the edge reads them (a token's
/// claims, else the X-Kafka-Auth header). The refusal end to end: KafkaWsProxy.Tests Security/KafkaCredentialsTests.
/// </summary>
public sealed class KafkaCredentialsTests
{
    [Fact]
    public void Reader_ClaimsWinOverTheHeader()
    {
        var jwt = new JwtAuthOptions { KafkaUsernameClaim = "kafka_user", KafkaPasswordClaim = "kafka_password" };
        var context = new DefaultHttpContext
        {
            User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("kafka_user", "from-token"), new Claim("kafka_password", "token-pw")], "Bearer")),
        };
        context.Request.Headers["X-Kafka-Auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("from-header:header-pw"));

        var credentials = KafkaCredentialsReader.Read(context, jwt);

        Assert.Equal("from-token", credentials!.Username);
        Assert.Equal("token-pw", credentials.Password);
    }

    [Fact]
    public void Reader_HeaderWhenNoClaims_PasswordMayContainColons()
    {
        var context = new DefaultHttpContext();
        context.Request.Headers["X-Kafka-Auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("user:pa:ss"));

        var credentials = KafkaCredentialsReader.Read(context, new JwtAuthOptions());

        Assert.Equal("user", credentials!.Username);
        Assert.Equal("pa:ss", credentials.Password);
        Assert.Null(KafkaCredentialsReader.Read(new DefaultHttpContext(), new JwtAuthOptions()));
    }
}
