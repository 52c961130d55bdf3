using System.Diagnostics;
using KafkaWsProxy.EmbeddedKafka;

namespace KafkaWsProxy.Bridge.Tests.Kafka;

/// <summary>
/// The embedded broker's listening sockets take a full accept queue, so that a
/// bridge opening hundreds of consumers at once is not refused by the kernel
/// (librdkafka's mock listens with a backlog of 5). Linux only.
/// </summary>
public sealed class EmbeddedBrokerListenBacklogTests
{
    private static readonly string[] SsLocations = ["/usr/bin/ss", "/bin/ss", "/usr/sbin/ss", "/sbin/ss"];

    [Fact]
    public void EveryBrokerListensWithTheSystemBacklog_AlsoAfterComingBackUp()
    {
        using var kafka = new EmbeddedKafkaCluster(brokerCount: 2);
        if (!OperatingSystem.IsLinux())
        {
            Assert.Equal(0, kafka.WidenedListeners);
            return;
        }

        Assert.Equal(2, kafka.WidenedListeners);
        AssertBacklogAboveLibrdkafkasFive(kafka);

        kafka.SetBrokerDown(2);
        kafka.SetBrokerUp(2);
        Assert.Equal(2, kafka.WidenedListeners);
        AssertBacklogAboveLibrdkafkasFive(kafka);
    }

    /// <summary>Reads each listener's backlog (Send-Q) with <c>ss</c> where the machine has it.</summary>
    private static void AssertBacklogAboveLibrdkafkasFive(EmbeddedKafkaCluster kafka)
    {
        var ss = SsLocations.FirstOrDefault(File.Exists);
        if (ss is null)
        {
            return; // WidenedListeners alone: listen() was called again on each broker's socket and succeeded
        }

        using var process = Process.Start(new ProcessStartInfo(ss, "-ltnH") { RedirectStandardOutput = true })!;
        var lines = process.StandardOutput.ReadToEnd().Split('\n');
        process.WaitForExit();
        foreach (var server in kafka.BootstrapServers.Split(','))
        {
            var line = Assert.Single(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, _, _, var local, ..] && local == server);
            var backlog = int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(backlog > 5, $"{server} listens with a backlog of {backlog}");
        }
    }
}
