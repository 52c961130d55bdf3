using Grpc.Core;
using Grpc.Net.Client;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Bridge;

/// <summary>
/// Spec §6, the bridge's side of a drain: a stream that asked for the drain notice gets every
/// result, then the notice, and stays open until the client ends it, so nothing can be lost to
/// the HTTP/2 connection closing behind the final status; a stream that did not ask gets the
/// draining status and trailer as before.
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class BridgeDrainNoticeTests(ProxyFixture proxy)
{
    [Fact]
    public async Task BridgeStops_NoticeFollowsEveryResult_StreamWaitsForTheClient_OtherStreamGetsTheDrainTrailer()
    {
        // Far longer than the test (and the host's shutdown timeout with it): the bridge can only
        // exit in time because the client ends the call.
        await using var instance = await proxy.StartProxyAsync(bridgeSettings: new Dictionary<string, string?>
        {
            ["Drain__NoticeTimeout"] = "00:10:00",
            ["shutdownTimeoutSeconds"] = "600",
        });
        var topic = proxy.CreateTopic(partitions: 1);
        using var channel = GrpcChannel.ForAddress(instance.Bridge.Address);
        var client = new KafkaBridge.KafkaBridgeClient(channel);
        using var noticed = await OpenAsync(client, topic, drainNotice: true);
        using var plain = await OpenAsync(client, topic, drainNotice: false);
        var batch = new ProduceBatch();
        for (var i = 0; i < 50; i++)
        {
            batch.Records.Add(new ProduceRecord { Value = new TypedValue { StringValue = $"{i}" }, MessageId = $"{i}" });
        }

        await noticed.RequestStream.WriteAsync(new ProduceRequest { Batch = batch });
        var results = new List<ProduceResult>();
        while (results.Count < 50 && await noticed.ResponseStream.MoveNext())
        {
            results.AddRange(noticed.ResponseStream.Current.Results.Results);
        }

        var stopping = instance.Bridge.StopAsync(TimeSpan.FromSeconds(60));
        Assert.True(await noticed.ResponseStream.MoveNext());
        Assert.Equal(ProduceResponse.KindOneofCase.Draining, noticed.ResponseStream.Current.KindCase);
        var failure = await Assert.ThrowsAsync<RpcException>(() => plain.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
        Assert.Equal("true", failure.Trailers.GetValue("kafkawsproxy-draining"));
        Assert.False(instance.Bridge.HasExited);

        noticed.Dispose();
        await stopping;

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"{i}"), results.Select(r => r.MessageId));
        Assert.All(results, r => Assert.Equal(ProduceResult.OutcomeOneofCase.Position, r.OutcomeCase));
    }

    private static async Task<AsyncDuplexStreamingCall<ProduceRequest, ProduceResponse>> OpenAsync(
        KafkaBridge.KafkaBridgeClient client, string topic, bool drainNotice)
    {
        var call = client.Produce();
        await call.RequestStream.WriteAsync(new ProduceRequest
        {
            Open = new ProduceOpen { ClientId = $"notice-{drainNotice}", Topic = topic, DrainNotice = drainNotice },
        });
        Assert.True(await call.ResponseStream.MoveNext());
        Assert.Equal(ProduceResponse.KindOneofCase.Opened, call.ResponseStream.Current.KindCase);
        return call;
    }
}
