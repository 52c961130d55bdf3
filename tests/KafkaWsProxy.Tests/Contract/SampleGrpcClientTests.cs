using System.Reflection;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Contract;

/// <summary>The sample gRPC client (samples/KafkaWsProxy.SampleGrpcClient), run as a process against a real bridge, with no edge.</summary>
[Collection(ProxyTests.Name)]
public sealed class SampleGrpcClientTests(ProxyFixture proxy)
{
    private static string SampleDll => typeof(SampleGrpcClientTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "SampleGrpcClientDll").Value!;

    [Fact]
    public async Task SampleClient_AgainstTheBridgeAlone_ProducesAndConsumesItsRecordsAndExits0()
    {
        var topic = proxy.CreateTopic(partitions: 2);

        var (exitCode, output) = await ProgramRun.RunAsync(SampleDll, [proxy.Bridge.Address.ToString(), topic, "3"], TimeSpan.FromSeconds(90));

        Assert.True(exitCode == 0, output);
        Assert.Equal(3, output.Split('\n').Count(l => l.StartsWith("produced sample-", StringComparison.Ordinal)));
        Assert.Equal(3, output.Split('\n').Count(l => l.StartsWith("consumed sample-", StringComparison.Ordinal)));
        Assert.Contains("done: 3 of 3", output, StringComparison.Ordinal);
        Assert.Equal(3, await KafkaDirect.CountAsync(proxy.Kafka.BootstrapServers, topic));
    }
}
