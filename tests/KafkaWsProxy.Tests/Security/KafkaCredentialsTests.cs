extern alias BridgeAssembly;

using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using BridgeAssembly::KafkaWsProxy.Bridge.Configuration;
using BridgeAssembly::KafkaWsProxy.Bridge.Kafka;
using KafkaWsProxy.Edge.Auth;
using KafkaWsProxy.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using BridgeContracts = BridgeAssembly::KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Tests.Security;

/// <summary>
/// Spec §7: Kafka credentials per socket. The embedded broker does not speak
/// SASL, so a login can never succeed against it: what is shown end to end is
/// the refusal path; the success path is shown at the configuration level.
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

    [Fact]
    public void ProducerPool_DifferentCredentialsNeverShareAClient_SameCredentialsDo()
    {
        // No librdkafka client is built: SASL producers in the test host (which also runs
        // the embedded broker) crashed it natively in some runs, taking the whole suite down.
        var kafka = Options.Create(new KafkaOptions { BootstrapServers = "127.0.0.1:9", SaslSecurityProtocol = Confluent.Kafka.SecurityProtocol.SaslPlaintext });
        using var cluster = new KafkaClusterConnection(kafka, NullLogger<KafkaClusterConnection>.Instance);
        using var pool = new SharedProducerPool(new KafkaClientConfigFactory(cluster, kafka), new KafkaClientFactory(NullLogger<KafkaClientFactory>.Instance))
        {
            BuildProducer = config => new RecordedProducer(config),
        };
        var alice = new BridgeContracts.KafkaCredentials { Username = "alice", Password = "a" };
        var bob = new BridgeContracts.KafkaCredentials { Username = "bob", Password = "b" };
        var aliceWithOtherPassword = new BridgeContracts.KafkaCredentials { Username = "alice", Password = "other" };

        var forAlice = pool.Get(alice);

        Assert.Same(forAlice, pool.Get(new BridgeContracts.KafkaCredentials { Username = "alice", Password = "a" }));
        Assert.NotSame(forAlice, pool.Get(bob));
        Assert.NotSame(forAlice, pool.Get(aliceWithOtherPassword));
        Assert.NotSame(forAlice, pool.Get(null));
        Assert.Equal(("alice", "a"), ((RecordedProducer)forAlice).Login);
        Assert.Equal(("bob", "b"), ((RecordedProducer)pool.Get(bob)).Login);
        Assert.Equal((null, null), ((RecordedProducer)pool.Get(null)).Login);
    }

    /// <summary>Stands in for a librdkafka producer: remembers the login it was configured with.</summary>
    private sealed class RecordedProducer(Confluent.Kafka.ProducerConfig config) : Confluent.Kafka.IProducer<byte[]?, byte[]?>
    {
        public (string? Username, string? Password) Login { get; } = (config.SaslUsername, config.SaslPassword);

        public Confluent.Kafka.Handle Handle => throw new NotSupportedException();

        public string Name => "recorded";

        public int AddBrokers(string brokers) => throw new NotSupportedException();

        public void SetSaslCredentials(string username, string password) => throw new NotSupportedException();

        public Task<Confluent.Kafka.DeliveryResult<byte[]?, byte[]?>> ProduceAsync(
            string topic, Confluent.Kafka.Message<byte[]?, byte[]?> message, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<Confluent.Kafka.DeliveryResult<byte[]?, byte[]?>> ProduceAsync(
            Confluent.Kafka.TopicPartition topicPartition, Confluent.Kafka.Message<byte[]?, byte[]?> message, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public void Produce(string topic, Confluent.Kafka.Message<byte[]?, byte[]?> message,
            Action<Confluent.Kafka.DeliveryReport<byte[]?, byte[]?>>? deliveryHandler = null) => throw new NotSupportedException();

        public void Produce(Confluent.Kafka.TopicPartition topicPartition, Confluent.Kafka.Message<byte[]?, byte[]?> message,
            Action<Confluent.Kafka.DeliveryReport<byte[]?, byte[]?>>? deliveryHandler = null) => throw new NotSupportedException();

        public int Poll(TimeSpan timeout) => 0;

        public int Flush(TimeSpan timeout) => 0;

        public void Flush(CancellationToken cancellationToken = default)
        {
        }

        public void InitTransactions(TimeSpan timeout) => throw new NotSupportedException();

        public void BeginTransaction() => throw new NotSupportedException();

        public void CommitTransaction(TimeSpan timeout) => throw new NotSupportedException();

        public void CommitTransaction() => throw new NotSupportedException();

        public void AbortTransaction(TimeSpan timeout) => throw new NotSupportedException();

        public void AbortTransaction() => throw new NotSupportedException();

        public void SendOffsetsToTransaction(IEnumerable<Confluent.Kafka.TopicPartitionOffset> offsets,
            Confluent.Kafka.IConsumerGroupMetadata groupMetadata, TimeSpan timeout) => throw new NotSupportedException();

        public void Dispose()
        {
        }
    }
}
