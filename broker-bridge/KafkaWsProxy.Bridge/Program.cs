using KafkaWsProxy.Bridge.Broadcast;
using KafkaWsProxy.Bridge.Cluster;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Consume;
using KafkaWsProxy.Bridge.Health;
using KafkaWsProxy.Bridge.Kafka;
using KafkaWsProxy.Bridge.Produce;
using KafkaWsProxy.Bridge.Security;
using KafkaWsProxy.Bridge.Services;
using KafkaWsProxy.Bridge.Sessions;
using KafkaWsProxy.Bridge.Telemetry;
using KafkaWsProxy.ServiceDefaults;

if (HealthProbeCommand.IsRequested(args))
{
    return await HealthProbeCommand.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
ConfigurationAliases.Apply(builder.Configuration);
MutualTls.Configure(builder);
builder.AddServiceDefaults("kafkawsproxy-bridge", BridgeTelemetry.Name);

builder.Services.AddOptions<KafkaOptions>().BindConfiguration(KafkaOptions.SectionName)
    .Validate(o => o.GroupProtocol is "" or "classic" or "consumer", "Kafka:GroupProtocol must be classic, consumer or empty.")
    .Validate(o => o.NativeMemoryTrimInterval >= TimeSpan.Zero, "Kafka:NativeMemoryTrimInterval must not be negative.")
    .ValidateOnStart();
builder.Services.AddOptions<ProduceOptions>().BindConfiguration(ProduceOptions.SectionName)
    .Validate(o => o.MaxInFlightPerStream > 0 && o.MaxResultsPerMessage > 0, "Produce limits must be positive.")
    .ValidateOnStart();

builder.Services.AddOptions<ConsumeOptions>().BindConfiguration(ConsumeOptions.SectionName)
    .Validate(o => o.MaxUncommittedPerStream > 0 && o.BufferedRecordsPerStream > 0 && o.MaxRecordsPerMessage > 0 && o.PauseAfterStall >= TimeSpan.Zero
        && o.Pollers >= 0 && o.PollerIdleBackoff > TimeSpan.Zero && o.StatisticsInterval >= TimeSpan.Zero, "Consume limits must be positive.")
    .Validate(o => o.MinResumeWindow > TimeSpan.Zero && o.MaxResumeWindow >= o.MinResumeWindow,
        "Consume:MinResumeWindow must be positive and at most Consume:MaxResumeWindow.")
    .ValidateOnStart();

builder.Services.AddOptions<BroadcastOptions>().BindConfiguration(BroadcastOptions.SectionName)
    .Validate(o => o.BufferedRecordsPerStream > 0 && o.MaxRecordsPerMessage > 0 && o.PollTimeout > TimeSpan.Zero
        && o.PartitionRefreshInterval > TimeSpan.Zero, "Broadcast limits must be positive.")
    .ValidateOnStart();

builder.Services.AddOptions<SessionsOptions>().BindConfiguration(SessionsOptions.SectionName)
    .Validate(o => o.Ttl > o.HeartbeatInterval && o.HeartbeatInterval > TimeSpan.Zero, "Sessions:Ttl must exceed Sessions:HeartbeatInterval.")
    .Validate(o => !o.ExactlyOnceEnabled || o.ProducerSessionsEnabled, "Sessions:ExactlyOnceEnabled needs Sessions:ProducerSessionsEnabled.")
    .ValidateOnStart();

builder.Services.AddOptions<DrainOptions>().BindConfiguration(DrainOptions.SectionName)
    .Validate(o => o.NoticeTimeout >= TimeSpan.Zero, "Drain:NoticeTimeout must not be negative.")
    .ValidateOnStart();

builder.Services.AddOptions<GrpcOptions>().BindConfiguration(GrpcOptions.SectionName)
    .Validate(o => o.MaxMessageBytes >= 64 * 1024, "Grpc:MaxMessageBytes must be at least 65536.")
    .ValidateOnStart();

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<BridgeMetrics>();
builder.Services.AddSingleton<KafkaClusterConnection>();
builder.Services.AddSingleton<KafkaClientConfigFactory>();
builder.Services.AddSingleton<KafkaClientFactory>();
builder.Services.AddHostedService<NativeMemoryTrimmer>();
builder.Services.AddSingleton<AdminClientHandle>();
builder.Services.AddSingleton<TopicCatalog>();
builder.Services.AddSingleton<CredentialVerifier>();
builder.Services.AddSingleton<SharedProducerPool>();
builder.Services.AddSingleton<RegistryTopic>();
builder.Services.AddSingleton<SessionRegistry>();
builder.Services.AddHostedService(provider => provider.GetRequiredService<SessionRegistry>());
builder.Services.AddSingleton<ProducerRateLimits>();
builder.Services.AddSingleton<ProduceStreamOpener>();
builder.Services.AddSingleton<ConsumerPollerPool>();
builder.Services.AddSingleton<ConsumeStreamOpener>();
builder.Services.AddSingleton<BroadcastHubs>();
builder.Services.AddSingleton<ClusterDescriber>();
builder.Services.AddSingleton<StreamDrain>();

// The same number as the edge's Bridge:MaxMessageBytes, both ways (docs/configuration.md).
var grpcLimits = builder.Configuration.GetSection(GrpcOptions.SectionName).Get<GrpcOptions>() ?? new GrpcOptions();
builder.Services.AddGrpc(grpc =>
{
    grpc.EnableDetailedErrors = false;
    grpc.MaxReceiveMessageSize = grpcLimits.MaxMessageBytes;
    grpc.MaxSendMessageSize = grpcLimits.MaxMessageBytes;
});
builder.Services.AddBridgeGrpcExtras(builder.Configuration);

var app = builder.Build();

// Start (or find) Kafka before accepting calls, so the log says where it is first.
app.Services.GetRequiredService<KafkaClusterConnection>();

app.MapGrpcService<KafkaBridgeService>();
app.MapBridgeGrpcExtras();
// The bridge's listener speaks HTTP/2 only: /metrics has a listener of its own (Telemetry:MetricsUrls).
app.MapDefaultEndpoints();
app.MapGet("/", () => Results.Text("KafkaWsProxy broker bridge: a gRPC service (kafkawsproxy.v1.KafkaBridge)."));

app.Run();
return 0;
