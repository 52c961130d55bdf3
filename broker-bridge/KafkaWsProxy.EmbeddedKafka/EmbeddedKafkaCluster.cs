using System.Runtime.InteropServices;

namespace KafkaWsProxy.EmbeddedKafka;

/// <summary>
/// A Kafka-protocol broker running in this process (librdkafka's mock
/// cluster), listening on random 127.0.0.1 ports. Real clients reach it over
/// TCP through <see cref="BootstrapServers"/>.
/// </summary>
/// <remarks>
/// It has no CreateTopics API: create topics with <see cref="CreateTopic"/>.
/// It does not authenticate (no SASL), has no ACLs, does not filter aborted
/// transactional records for read_committed readers and keeps only about
/// 5 MiB per partition. See docs/operations.md, "The embedded broker and its limits".
/// </remarks>
public sealed class EmbeddedKafkaCluster : IDisposable
{
    private readonly IntPtr _handle;
    private readonly IntPtr _cluster;
    private readonly Lock _gate = new();
    private readonly HashSet<int> _listenPorts;
    private bool _disposed;

    public EmbeddedKafkaCluster(int brokerCount = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokerCount, 1);
        NativeLibraryLoader.EnsureRegistered();

        var errors = new byte[512];
        var conf = MockClusterNative.ConfNew();
        // The handle only hosts the mock cluster; it never connects anywhere, so
        // keep it from logging that it has no bootstrap servers.
        MockClusterNative.ConfSet(conf, "log_level", "3", errors, (nuint)errors.Length);
        MockClusterNative.ConfSet(conf, "client.id", "kafkawsproxy-embedded-broker", errors, (nuint)errors.Length);
        _handle = MockClusterNative.KafkaNew(MockClusterNative.ProducerType, conf, errors, (nuint)errors.Length);
        if (_handle == IntPtr.Zero)
        {
            MockClusterNative.ConfDestroy(conf);
            throw new InvalidOperationException("librdkafka refused to create a handle: " + ReadError(errors));
        }

        _cluster = MockClusterNative.ClusterNew(_handle, brokerCount);
        if (_cluster == IntPtr.Zero)
        {
            MockClusterNative.KafkaDestroy(_handle);
            throw new InvalidOperationException("librdkafka could not start its mock cluster.");
        }

        BrokerIds = Enumerable.Range(1, brokerCount).ToArray();
        BootstrapServers = Marshal.PtrToStringUTF8(MockClusterNative.ClusterBootstraps(_cluster))
            ?? throw new InvalidOperationException("The mock cluster reported no bootstrap servers.");

        // Without a controller, admin requests wait for one until they time out.
        Check(MockClusterNative.SetControllerId(_cluster, BrokerIds[0]), "set the controller id");
        // A group join otherwise waits ~3 s for more members before the first rebalance.
        MockClusterNative.GroupInitialRebalanceDelayMs(_cluster, 0);
        _listenPorts = BootstrapServers.Split(',').Select(ParsePort).ToHashSet();
        WidenListenBacklog();
    }

    /// <summary>
    /// How many of the brokers' listening sockets accept a full backlog of
    /// connections instead of librdkafka's 5 (Linux only; see <see cref="ListenBacklog"/>).
    /// </summary>
    public int WidenedListeners { get; private set; }

    /// <summary>Comma-separated host:port list for client configuration.</summary>
    public string BootstrapServers { get; }

    /// <summary>Broker ids, numbered from 1.</summary>
    public IReadOnlyList<int> BrokerIds { get; }

    /// <summary>Creates a topic; creating one that exists already is an error.</summary>
    public void CreateTopic(string name, int partitionCount, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        Invoke(() => Check(
            MockClusterNative.TopicCreate(_cluster, name, partitionCount, replicationFactor),
            $"create topic '{name}'"));
    }

    /// <summary>Makes a broker unreachable (connections are closed and refused) until <see cref="SetBrokerUp"/>.</summary>
    public void SetBrokerDown(int brokerId) =>
        Invoke(() => Check(MockClusterNative.BrokerSetDown(_cluster, brokerId), $"take broker {brokerId} down"));

    public void SetBrokerUp(int brokerId) =>
        Invoke(() =>
        {
            Check(MockClusterNative.BrokerSetUp(_cluster, brokerId), $"bring broker {brokerId} up");
            WidenListenBacklog(); // a broker that comes back up listens anew
        });

    /// <summary>Adds a round-trip delay to every response of a broker.</summary>
    public void SetBrokerRoundTripTime(int brokerId, TimeSpan rtt) =>
        Invoke(() => Check(
            MockClusterNative.BrokerSetRtt(_cluster, brokerId, (int)rtt.TotalMilliseconds),
            $"set broker {brokerId} round-trip time"));

    /// <summary>Makes the next requests of one Kafka API fail with the given Kafka error codes, in order.</summary>
    public void PushRequestErrors(short apiKey, params int[] kafkaErrorCodes) =>
        Invoke(() => MockClusterNative.PushRequestErrors(_cluster, apiKey, (nuint)kafkaErrorCodes.Length, kafkaErrorCodes));

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            MockClusterNative.ClusterDestroy(_cluster);
            MockClusterNative.KafkaDestroy(_handle);
        }
    }

    private void Invoke(Action action)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            action();
        }
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            var name = Marshal.PtrToStringUTF8(MockClusterNative.ErrorName(error)) ?? error.ToString(System.Globalization.CultureInfo.InvariantCulture);
            throw new InvalidOperationException($"The embedded broker could not {what}: {name}.");
        }
    }

    private void WidenListenBacklog() => WidenedListeners = ListenBacklog.Widen(_listenPorts);

    private static int ParsePort(string hostAndPort) =>
        int.Parse(hostAndPort[(hostAndPort.LastIndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    private static string ReadError(byte[] errors)
    {
        var length = Array.IndexOf(errors, (byte)0);
        return System.Text.Encoding.UTF8.GetString(errors, 0, length < 0 ? errors.Length : length);
    }
}
