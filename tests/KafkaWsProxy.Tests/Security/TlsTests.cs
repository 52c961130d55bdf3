using System.Net.Security;
using Grpc.Core;
using Grpc.Net.Client;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Security;

/// <summary>Spec §7: wss on the edge, TLS and mutual TLS between edge and bridge.</summary>
[Collection(ProxyTests.Name)]
public sealed class TlsTests(ProxyFixture proxy) : IDisposable
{
    private readonly TestCertificates _pki = new();

    [Fact]
    public async Task Edge_ServesWssWithConfiguredCertificate_ProducerWorks()
    {
        await using var bridge = await ServiceProcess.StartBridgeAsync(BridgeOnFixtureKafka());
        await using var edge = await ServiceProcess.StartEdgeAsync(bridge.Address, _pki.KestrelServerCertificate(), https: true);
        var topic = proxy.CreateTopic(partitions: 1);

        Assert.Equal("https", edge.Address.Scheme);
        await using var socket = await TestSocket.ConnectAsync(
            new Uri($"wss://{edge.Address.Authority}/socket/in?clientId=tls&topic={topic}"),
            options => options.RemoteCertificateValidationCallback = (_, certificate, _, _) => _pki.IsIssuedByCa(certificate));
        await socket.SendTextAsync("""{"value":{"value":"over tls"},"messageId":"t"}""");

        Assert.Equal("t", (await socket.ReceiveJsonAsync()).GetProperty("messageId").GetString());
    }

    [Fact]
    public async Task MutualTls_EdgeWithTrustedCertificate_Works_ClientsWithoutOrWithAStrangersCertificateAreRefused()
    {
        var bridgeSettings = BridgeOnFixtureKafka();
        foreach (var (key, value) in _pki.KestrelServerCertificate())
        {
            bridgeSettings[key] = value;
        }

        bridgeSettings["Tls__ClientCaPath"] = _pki.CaPath;
        await using var bridge = await ServiceProcess.StartBridgeAsync(bridgeSettings, https: true);
        await using var trustedEdge = await ServiceProcess.StartEdgeAsync(bridge.Address, new Dictionary<string, string?>
        {
            ["Bridge__CaPath"] = _pki.CaPath,
            ["Bridge__ClientCertificatePath"] = _pki.ClientCertificatePath,
            ["Bridge__ClientKeyPath"] = _pki.ClientKeyPath,
        });
        var topic = proxy.CreateTopic(partitions: 1);

        await using (var socket = await TestSocket.ConnectAsync(new Uri($"ws://{trustedEdge.Address.Authority}/socket/in?clientId=mtls&topic={topic}")))
        {
            await socket.SendTextAsync("""{"value":{"value":"through mtls"},"messageId":"m"}""");
            Assert.Equal("m", (await socket.ReceiveJsonAsync()).GetProperty("messageId").GetString());
        }

        // An edge with no client certificate cannot open streams: its sockets are refused with 503.
        await using var untrustedEdge = await ServiceProcess.StartEdgeAsync(bridge.Address, new Dictionary<string, string?>
        {
            ["Bridge__CaPath"] = _pki.CaPath,
            ["Bridge__OpenRetries"] = "0",
        });
        var (status, _, _) = await HandshakeProbe.UpgradeAsync(untrustedEdge.Address, $"/socket/in?clientId=x&topic={topic}");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, status);

        // A gRPC client presenting a certificate from another CA is refused by the bridge.
        Assert.NotEqual(StatusCode.OK, await DescribeClusterStatusAsync(bridge.Address, TestCertificates.LoadWithKey(_pki.StrangerCertificatePath, _pki.StrangerKeyPath)));
        Assert.NotEqual(StatusCode.OK, await DescribeClusterStatusAsync(bridge.Address, clientCertificate: null));
        Assert.Equal(StatusCode.OK, await DescribeClusterStatusAsync(bridge.Address, TestCertificates.LoadWithKey(_pki.ClientCertificatePath, _pki.ClientKeyPath)));
    }

    private async Task<StatusCode> DescribeClusterStatusAsync(Uri bridge, System.Security.Cryptography.X509Certificates.X509Certificate2? clientCertificate)
    {
        using var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => _pki.IsIssuedByCa(certificate),
                ClientCertificates = clientCertificate is null ? null : [clientCertificate],
            },
        };
        using var channel = GrpcChannel.ForAddress(bridge, new GrpcChannelOptions { HttpHandler = handler });
        try
        {
            await new KafkaBridge.KafkaBridgeClient(channel).DescribeClusterAsync(new DescribeClusterRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
            return StatusCode.OK;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }

    private Dictionary<string, string?> BridgeOnFixtureKafka() => new()
    {
        ["Kafka__BootstrapServers"] = proxy.Kafka.BootstrapServers,
        ["Kafka__TopicCacheTtl"] = "00:00:00",
        ["Kafka__GroupProtocol"] = "consumer",
    };

    public void Dispose() => _pki.Dispose();
}
