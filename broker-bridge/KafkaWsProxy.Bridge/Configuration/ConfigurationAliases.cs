namespace KafkaWsProxy.Bridge.Configuration;

/// <summary>
/// Short environment variable names (as in docs/configuration.md and docker-compose) for
/// the settings operators set most. The ASP.NET name (Kafka__BootstrapServers)
/// wins when both are set.
/// </summary>
internal static class ConfigurationAliases
{
    private static readonly (string Variable, string Key)[] s_aliases =
    [
        ("KAFKA_BOOTSTRAP_SERVERS", "Kafka:BootstrapServers"),
        ("KAFKA_TOPICS", "Kafka:EmbeddedTopics"),
    ];

    public static void Apply(IConfiguration configuration)
    {
        foreach (var (variable, key) in s_aliases)
        {
            var value = Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrWhiteSpace(value) && string.IsNullOrWhiteSpace(ExplicitValue(key)))
            {
                configuration[key] = value;
            }
        }
    }

    private static string? ExplicitValue(string key) =>
        Environment.GetEnvironmentVariable(key.Replace(":", "__", StringComparison.Ordinal));
}
