using System.Globalization;
using KafkaWsProxy.Tests.Infrastructure;
using KafkaWsProxy.TestSupport.Fuzzing;
using Xunit.Abstractions;

namespace KafkaWsProxy.Tests.Sockets;

/// <summary>
/// Issue 10: seeded hostile frames interleaved with valid ones on both sockets, through the real
/// edge and bridge. Every valid frame is acked, every frame within the limits is answered, every
/// close code is documented (docs/protocol.md §6), both services stay up, and a normal produce and
/// consume work afterwards. KAFKAWSPROXY_FUZZ_SEED picks another seed; a longer run is
/// `bench.sh --only fuzz --fuzz-seconds N`.
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class HostileFramesFuzzTests(ProxyFixture proxy, ITestOutputHelper output)
{
    private const int DefaultSeed = 20261203;
    private const int Rounds = 24;
    private const int MaxFrameBytes = 1024 * 1024;

    [Fact]
    public async Task Fuzz_HostileFramesOnBothSockets_EveryValidFrameAckedOnlyDocumentedClosesAndServicesStayUp()
    {
        var seed = Environment.GetEnvironmentVariable("KAFKAWSPROXY_FUZZ_SEED") is { Length: > 0 } text
            ? int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture)
            : DefaultSeed;
        var topic = proxy.CreateTopic(partitions: 2);
        var runner = new FuzzRunner(proxy.SocketUri, topic, MaxFrameBytes);

        var report = await runner.RunAsync(seed, Rounds, DateTime.UtcNow.AddMinutes(3), CancellationToken.None);
        output.WriteLine(report.ToString());

        Assert.True(report.Violations.Count == 0, $"Seed {seed} (rerun with KAFKAWSPROXY_FUZZ_SEED={seed}): {report}");
        Assert.Equal(Rounds, report.Rounds);
        Assert.True(report.ValidFramesAcked > 0, report.ToString());
        Assert.False(proxy.Bridge.HasExited, "The bridge exited.");
        Assert.False(proxy.Edge.HasExited, "The edge exited.");
        await ProduceAndConsumeStillWorkAsync();
    }

    private async Task ProduceAndConsumeStillWorkAsync()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        await using (var producer = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", $"clientId=after-fuzz&topic={topic}")))
        {
            await producer.SendTextAsync("""{"value":{"value":"after the fuzz"},"messageId":"after"}""");
            var ack = await producer.ReceiveJsonAsync();
            Assert.Equal("after", ack.GetProperty("messageId").GetString());
            await producer.CloseAsync();
        }

        await using var consumer = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=after-fuzz-{topic}&topic={topic}"));
        var record = Assert.Single(await consumer.ReceiveRecordsAsync(1));
        Assert.Equal("after the fuzz", record.Value);
    }
}
