using KafkaWsProxy.Edge.Bridge.Balancing;

namespace KafkaWsProxy.Edge.Tests.Bridge.Balancing;

/// <summary>Bridge:Address: one address, a comma-separated list, or dns:///host:port.</summary>
public sealed class BridgeTargetsTests
{
    [Fact]
    public void OneAddress_IsDialledDirectly()
    {
        Assert.True(BridgeTargets.TryParse("http://127.0.0.1:50051", out var targets));
        Assert.True(targets.IsSingle);
        Assert.False(targets.UsesTls(dnsUseTls: true));
    }

    [Fact]
    public void CommaSeparatedList_IsBalanced_OverEveryAddress()
    {
        Assert.True(BridgeTargets.TryParse(" https://a:1 , https://b:2 ", out var targets));
        Assert.False(targets.IsSingle);
        Assert.Equal(["a:1", "b:2"], targets.Addresses.Select(a => $"{a.Host}:{a.Port}"));
        Assert.True(targets.UsesTls(dnsUseTls: false));
    }

    [Fact]
    public void DnsName_IsBalanced_WithTlsOnlyWhenAskedFor()
    {
        Assert.True(BridgeTargets.TryParse("dns:///bridge:50051", out var targets));
        Assert.False(targets.IsSingle);
        Assert.Equal("bridge:50051", targets.DnsName!.AbsolutePath.TrimStart('/'));
        Assert.False(targets.UsesTls(dnsUseTls: false));
        Assert.True(targets.UsesTls(dnsUseTls: true));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bridge:50051")]
    [InlineData("http://a:1,https://b:2")]
    [InlineData("http://a:1,not a uri")]
    [InlineData("ftp://a:1")]
    [InlineData("dns:///")]
    public void InvalidAddress_IsRejected(string value) => Assert.False(BridgeTargets.TryParse(value, out _));
}
