using Confluent.Kafka;
using KafkaWsProxy.Bridge.Logging;

namespace KafkaWsProxy.Bridge.Kafka;

/// <summary>
/// The one place that builds the bridge's Kafka clients, so that every client
/// reports librdkafka's errors and log lines the same way (to the bridge's log,
/// never to stderr). Configurations come from <see cref="KafkaClientConfigFactory"/>.
/// </summary>
internal sealed class KafkaClientFactory(ILogger<KafkaClientFactory> logger)
{
    public IProducer<TKey, TValue> CreateProducer<TKey, TValue>(ProducerConfig config) =>
        new ProducerBuilder<TKey, TValue>(config)
            .SetErrorHandler((client, error) => LogError(client.Name, error))
            .SetLogHandler((client, message) => LogMessage(client.Name, message))
            .Build();

    /// <param name="configure">Adds the consumer's own handlers (rebalances, statistics).</param>
    public IConsumer<TKey, TValue> CreateConsumer<TKey, TValue>(ConsumerConfig config, Action<ConsumerBuilder<TKey, TValue>>? configure = null)
    {
        var builder = new ConsumerBuilder<TKey, TValue>(config)
            .SetErrorHandler((client, error) => LogError(client.Name, error))
            .SetLogHandler((client, message) => LogMessage(client.Name, message));
        configure?.Invoke(builder);
        return builder.Build();
    }

    public IAdminClient CreateAdmin(AdminClientConfig config) =>
        new AdminClientBuilder(config)
            .SetErrorHandler((client, error) => LogError(client.Name, error))
            .SetLogHandler((client, message) => LogMessage(client.Name, message))
            .Build();

    /// <summary>
    /// An admin client whose errors go to <paramref name="onError"/> alone and whose
    /// log lines are dropped: for clients that log in with a socket's own
    /// credentials, whose failures the caller reports itself.
    /// </summary>
    public static IAdminClient CreateQuietAdmin(AdminClientConfig config, Action<Error> onError) =>
        new AdminClientBuilder(config)
            .SetErrorHandler((_, error) => onError(error))
            .SetLogHandler((_, _) => { })
            .Build();

    private void LogError(string clientName, Error error) =>
        BridgeLog.KafkaClientError(logger, clientName, error.Code.ToString(), error.IsFatal, error.Reason);

    private void LogMessage(string clientName, LogMessage message) =>
        BridgeLog.KafkaClientLog(logger, clientName, message.Facility, message.Message);
}
