namespace KafkaWsProxy.Bridge.Configuration;

/// <summary>What the bridge's gRPC server offers besides kafkawsproxy.v1.KafkaBridge. Section "Grpc".</summary>
public sealed class GrpcServerOptions
{
    public const string SectionName = "Grpc";

    /// <summary>
    /// Serve gRPC server reflection (grpc.reflection.v1 and v1alpha), so that
    /// tools such as grpcurl can list and call the bridge without the proto files.
    /// It reveals only the schema, which is the published API anyway.
    /// </summary>
    public bool EnableReflection { get; set; } = true;

    /// <summary>
    /// How often the health checks (Kafka reachable) run for grpc.health.v1 watchers.
    /// A drain is reported at once, whatever this is.
    /// </summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(1);
}
