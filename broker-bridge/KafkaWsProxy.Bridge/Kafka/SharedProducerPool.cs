using System.Collections.Concurrent;
using Confluent.Kafka;
using KafkaWsProxy.Bridge.Logging;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Kafka;

/// <summary>
/// Long-lived, thread-safe producers shared by every non-transactional stream
/// that uses the same Kafka credentials. Streams with different credentials
/// never share a producer. Disposed (flushed, then closed) when the bridge stops.
/// </summary>
internal sealed class SharedProducerPool(
    KafkaClientConfigFactory configFactory,
    KafkaClientFactory clients) : IDisposable
{
    private static readonly TimeSpan s_flushOnShutdown = TimeSpan.FromSeconds(10);

    /// <summary>For tests: builds the producer of a configuration instead of librdkafka.</summary>
    internal Func<ProducerConfig, IProducer<byte[]?, byte[]?>>? BuildProducer { get; init; }

    private readonly ConcurrentDictionary<CredentialKey, Lazy<IProducer<byte[]?, byte[]?>>> _producers = new();

    public IProducer<byte[]?, byte[]?> Get(KafkaCredentials? credentials)
    {
        var key = CredentialKey.From(credentials);
        return _producers.GetOrAdd(
            key,
            static (_, state) => new Lazy<IProducer<byte[]?, byte[]?>>(
                () => state.Self.Build(state.Credentials), LazyThreadSafetyMode.ExecutionAndPublication),
            (Self: this, Credentials: credentials)).Value;
    }

    private IProducer<byte[]?, byte[]?> Build(KafkaCredentials? credentials)
    {
        var config = configFactory.CreateProducerConfig(credentials);
        if (BuildProducer is { } build)
        {
            return build(config);
        }

        return clients.CreateProducer<byte[]?, byte[]?>(config);
    }

    public void Dispose()
    {
        foreach (var lazy in _producers.Values)
        {
            if (!lazy.IsValueCreated)
            {
                continue;
            }

            var producer = lazy.Value;
            producer.Flush(s_flushOnShutdown);
            producer.Dispose();
        }

        _producers.Clear();
    }

    /// <summary>Identity of a credential set; the password never leaves memory and is never logged.</summary>
    private readonly record struct CredentialKey(string Username, string Password)
    {
        public static CredentialKey From(KafkaCredentials? credentials) =>
            credentials is null ? default : new CredentialKey(credentials.Username, credentials.Password);
    }
}
