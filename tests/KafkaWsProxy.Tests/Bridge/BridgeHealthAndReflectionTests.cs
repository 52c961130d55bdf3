using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using KafkaWsProxy.Tests.Infrastructure;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace KafkaWsProxy.Tests.Bridge;

/// <summary>
/// The bridge as a gRPC product: grpc.health.v1 (what the edges balance on) and server
/// reflection (what grpcurl lists and calls through), checked with their standard clients.
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class BridgeHealthAndReflectionTests(ProxyFixture proxy)
{
    [Fact]
    public async Task Health_RunningBridgeWithKafka_IsServing()
    {
        using var channel = GrpcChannel.ForAddress(proxy.Bridge.Address);

        var reply = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Health_KafkaGoesAway_WatchTurnsNotServing()
    {
        var kafka = new KafkaWsProxy.EmbeddedKafka.EmbeddedKafkaCluster();
        kafka.CreateSessionRegistryTopic();
        await using var bridge = await ServiceProcess.StartBridgeAsync(new Dictionary<string, string?>
        {
            ["Kafka__BootstrapServers"] = kafka.BootstrapServers,
            ["Kafka__MetadataTimeout"] = "00:00:01",
        });
        using var channel = GrpcChannel.ForAddress(bridge.Address);
        using var watch = new Health.HealthClient(channel).Watch(new HealthCheckRequest());
        var statuses = watch.ResponseStream.ReadAllAsync().GetAsyncEnumerator();
        Assert.True(await statuses.MoveNextAsync());
        Assert.Equal(ServingStatus.Serving, statuses.Current.Status);

        kafka.Dispose();

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        Assert.True(await statuses.MoveNextAsync().AsTask().WaitAsync(deadline.Token));
        Assert.Equal(ServingStatus.NotServing, statuses.Current.Status);
        await statuses.DisposeAsync();
    }

    [Fact]
    public async Task Health_BridgeStops_WatchSaysNotServingBeforeTheStreamEnds()
    {
        await using var instance = await proxy.StartProxyAsync();
        using var channel = GrpcChannel.ForAddress(instance.Bridge.Address);
        using var watch = new Health.HealthClient(channel).Watch(new HealthCheckRequest());
        var statuses = new List<ServingStatus>();
        var reading = Task.Run(async () =>
        {
            try
            {
                await foreach (var reply in watch.ResponseStream.ReadAllAsync())
                {
                    lock (statuses)
                    {
                        statuses.Add(reply.Status);
                    }
                }
            }
            catch (RpcException)
            {
                // The connection ends with the process.
            }
        });
        await Eventually.TrueAsync(() => { lock (statuses) { return statuses.Contains(ServingStatus.Serving); } }, "first answer SERVING");

        await instance.Bridge.StopAsync(TimeSpan.FromSeconds(20));
        await reading;

        // SERVING, then NOT_SERVING once it drains (the health checks' own run may say so a second time).
        Assert.Equal(ServingStatus.Serving, statuses[0]);
        Assert.Equal(ServingStatus.NotServing, statuses[^1]);
        Assert.DoesNotContain(ServingStatus.Serving, statuses.Skip(1));
    }

    [Fact]
    public async Task HealthcheckCommand_ServingBridge_Exits0_NoBridge_Exits1()
    {
        var (serving, output) = await ProgramRun.RunAsync(BuildOutputs.BridgeDll, ["healthcheck", proxy.Bridge.Address.ToString()], TimeSpan.FromSeconds(60));
        Assert.True(serving == 0, output);
        Assert.Contains("Serving", output, StringComparison.Ordinal);

        var (none, _) = await ProgramRun.RunAsync(BuildOutputs.BridgeDll, ["healthcheck", "http://127.0.0.1:1"], TimeSpan.FromSeconds(60));
        Assert.Equal(1, none);
    }

    [Fact]
    public async Task Reflection_ListsTheBridgeAndHealthServices_AndServesTheProtoFiles()
    {
        using var channel = GrpcChannel.ForAddress(proxy.Bridge.Address);
        using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        Assert.True(await call.ResponseStream.MoveNext());
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "kafkawsproxy.v1.KafkaBridge" });
        Assert.True(await call.ResponseStream.MoveNext());
        var files = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto
            .Select(bytes => Google.Protobuf.Reflection.FileDescriptorProto.Parser.ParseFrom(bytes).Name)
            .ToList();
        await call.RequestStream.CompleteAsync();

        Assert.Contains("kafkawsproxy.v1.KafkaBridge", services);
        Assert.Contains("grpc.health.v1.Health", services);
        // The service's file and its import, so that a tool can build every request type.
        Assert.Contains("kafkawsproxy/v1/bridge.proto", files);
        Assert.Contains("kafkawsproxy/v1/records.proto", files);
    }

    [Fact]
    public async Task Reflection_Disabled_IsUnimplemented()
    {
        await using var instance = await proxy.StartProxyAsync(new Dictionary<string, string?> { ["Grpc__EnableReflection"] = "false" });
        using var channel = GrpcChannel.ForAddress(instance.Bridge.Address);
        using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();

        var failure = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
            await call.ResponseStream.MoveNext();
        });

        Assert.Equal(StatusCode.Unimplemented, failure.StatusCode);
    }
}
