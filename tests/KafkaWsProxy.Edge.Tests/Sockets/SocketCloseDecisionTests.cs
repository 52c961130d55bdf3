using System.Net.Http;
using System.Net.WebSockets;
using System.Text;
using Grpc.Core;
using KafkaWsProxy.Edge.Bridge;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Tests.Sockets;

/// <summary>
/// Spec §6: the one function that turns what a socket's loops reported into its close,
/// over every combination of outcomes.
/// </summary>
public sealed class SocketCloseDecisionTests
{
    private const int MaxFrameBytes = 1024;

    private static readonly RpcException s_kafkaDown = new(new Status(StatusCode.Unavailable, "Kafka cannot be reached."));

    private static readonly RpcException s_fenced = new(new Status(StatusCode.Aborted, "Fenced: a newer socket took over."));

    private static readonly WebSocketCloseStatus[] s_documented =
    [
        WebSocketCloseStatus.NormalClosure, WebSocketCloseStatus.EndpointUnavailable, WebSocketCloseStatus.PolicyViolation,
        WebSocketCloseStatus.MessageTooBig, WebSocketCloseStatus.InternalServerError, SocketCloseDecision.FellBehindStatus,
    ];

    /// <summary>Every combination of the loops' outcomes and an end request.</summary>
    private static IEnumerable<(ClientOutcome Client, BridgeOutcome Bridge, DeliveryOutcome Delivery, EndRequestReason Requested)> AllCombinations() =>
        from client in Enum.GetValues<ClientOutcome>()
        from bridge in Enum.GetValues<BridgeOutcome>()
        from delivery in Enum.GetValues<DeliveryOutcome>()
        from requested in Enum.GetValues<EndRequestReason>()
        select (client, bridge, delivery, requested);

    [Fact]
    public void AllCombinations_CoverEveryValueOfEveryOutcome()
    {
        Assert.Equal(4 * 5 * 4 * 3, AllCombinations().Count());
    }

    [Fact]
    public void Decide_AnyCombination_AbortsOnlyALostConnectionAndOtherwiseClosesWithADocumentedCodeAndAShortReason()
    {
        foreach (var (client, bridge, delivery, requested) in AllCombinations())
        {
            AbortsOnlyALostConnection(client, bridge, delivery, requested);
        }
    }

    private static void AbortsOnlyALostConnection(ClientOutcome client, BridgeOutcome bridge, DeliveryOutcome delivery, EndRequestReason requested)
    {
        foreach (var error in bridge == BridgeOutcome.Failed ? new RpcException?[] { null, s_kafkaDown, s_fenced } : [null])
        {
            var outcomes = new SocketOutcomes(client, bridge, delivery, requested, error);

            var close = SocketCloseDecision.Decide(outcomes, MaxFrameBytes);

            var lost = client == ClientOutcome.ConnectionLost || delivery == DeliveryOutcome.ConnectionLost;
            Assert.True(lost == close.IsAbort, $"{client} {bridge} {delivery} {requested}: {close}");
            if (!lost)
            {
                Assert.Contains(close.Status!.Value, s_documented);
                Assert.True(Encoding.UTF8.GetByteCount(close.Reason) <= 123, close.Reason);
            }
        }
    }

    [Fact]
    public void Decide_AnyCombination_NormalClosureOnlyWhenTheClientClosedAndWasSentEveryAck()
    {
        foreach (var (client, bridge, delivery, requested) in AllCombinations())
        {
            var close = SocketCloseDecision.Decide(new SocketOutcomes(client, bridge, delivery, requested, s_kafkaDown), MaxFrameBytes);

            var clientFinished = client == ClientOutcome.Closed && delivery == DeliveryOutcome.Complete;
            Assert.True(clientFinished == (close.Status == WebSocketCloseStatus.NormalClosure), $"{client} {bridge} {delivery} {requested}: {close}");
        }
    }

    [Fact]
    public void Decide_AnyCombination_ADrainIs1001UnlessTheConnectionIsLostTheClientFinishedOrTheBridgeFailed()
    {
        foreach (var (client, bridge, delivery, requested) in AllCombinations())
        {
            DrainIs1001(client, bridge, delivery, requested);
        }
    }

    private static void DrainIs1001(ClientOutcome client, BridgeOutcome bridge, DeliveryOutcome delivery, EndRequestReason requested)
    {
        // A broadcast socket that fell behind keeps its 4000: its reason tells where to resume.
        var draining = bridge == BridgeOutcome.Draining
            || (requested == EndRequestReason.ServerStopping && bridge is not (BridgeOutcome.Failed or BridgeOutcome.FellBehind));
        var lost = client == ClientOutcome.ConnectionLost || delivery == DeliveryOutcome.ConnectionLost;
        var clientFinished = client is ClientOutcome.Closed or ClientOutcome.FrameTooLarge && delivery == DeliveryOutcome.Complete;

        var close = SocketCloseDecision.Decide(new SocketOutcomes(client, bridge, delivery, requested, s_kafkaDown), MaxFrameBytes);

        if (draining && !lost && !clientFinished)
        {
            Assert.True(close.Status == WebSocketCloseStatus.EndpointUnavailable, $"{client} {bridge} {delivery} {requested}: {close}");
        }
        else if (close.Status == WebSocketCloseStatus.EndpointUnavailable)
        {
            Assert.True(draining, $"1001 without a drain: {client} {bridge} {delivery} {requested}");
        }
    }

    [Theory]
    // The client closed and got every ack: the drain or failure that came after changes nothing.
    [InlineData("Closed", "Draining", "Complete", "ServerStopping", WebSocketCloseStatus.NormalClosure)]
    [InlineData("Closed", "Failed", "Complete", "None", WebSocketCloseStatus.NormalClosure)]
    [InlineData("FrameTooLarge", "Ended", "Complete", "None", WebSocketCloseStatus.MessageTooBig)]
    // The client closed, but acks were lost.
    [InlineData("Closed", "Open", "TimedOut", "None", WebSocketCloseStatus.InternalServerError)]
    [InlineData("Closed", "Failed", "Unanswered", "None", WebSocketCloseStatus.InternalServerError)]
    [InlineData("Closed", "Draining", "Unanswered", "None", WebSocketCloseStatus.EndpointUnavailable)]
    // The bridge drains while the client is still sending: its last acks sent or not, a routine deploy.
    [InlineData("Open", "Draining", "Unanswered", "None", WebSocketCloseStatus.EndpointUnavailable)]
    [InlineData("Open", "Draining", "Complete", "None", WebSocketCloseStatus.EndpointUnavailable)]
    // The edge stops: every ack sent (or the drain timed out), then 1001.
    [InlineData("Open", "Ended", "Complete", "ServerStopping", WebSocketCloseStatus.EndpointUnavailable)]
    [InlineData("Open", "Open", "TimedOut", "ServerStopping", WebSocketCloseStatus.EndpointUnavailable)]
    // A real failure outranks a drain: acks were lost to it.
    [InlineData("Open", "Failed", "Unanswered", "ServerStopping", WebSocketCloseStatus.InternalServerError)]
    [InlineData("Open", "Open", "Complete", "CredentialsExpired", WebSocketCloseStatus.PolicyViolation)]
    // The bridge ended the stream on its own.
    [InlineData("Open", "Ended", "Complete", "None", WebSocketCloseStatus.InternalServerError)]
    [InlineData("Open", "Ended", "Unanswered", "None", WebSocketCloseStatus.InternalServerError)]
    public void Decide_Scenario_GivesTheDocumentedClose(string client, string bridge, string delivery, string requested, WebSocketCloseStatus expected)
    {
        var outcomes = new SocketOutcomes(
            Enum.Parse<ClientOutcome>(client), Enum.Parse<BridgeOutcome>(bridge), Enum.Parse<DeliveryOutcome>(delivery),
            Enum.Parse<EndRequestReason>(requested), s_kafkaDown);

        var close = SocketCloseDecision.Decide(outcomes, MaxFrameBytes);

        Assert.Equal(expected, close.Status);
    }

    [Fact]
    public void Decide_FencedProducer_IsPolicyViolationWithTheBridgesReason()
    {
        var close = SocketCloseDecision.Decide(
            new SocketOutcomes(ClientOutcome.Open, BridgeOutcome.Failed, DeliveryOutcome.Complete, EndRequestReason.None, s_fenced), MaxFrameBytes);

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, close.Status);
        Assert.StartsWith("Fenced:", close.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_FrameTooLarge_ReasonNamesTheLimit()
    {
        var close = SocketCloseDecision.Decide(
            new SocketOutcomes(ClientOutcome.FrameTooLarge, BridgeOutcome.Open, DeliveryOutcome.Complete, EndRequestReason.None), MaxFrameBytes);

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, close.Status);
        Assert.Contains("1024", close.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void IsDraining_DrainTrailer_IsDraining()
    {
        var drained = new RpcException(
            new Status(StatusCode.Unavailable, "The bridge is shutting down; reconnect."),
            new Metadata { { BridgeStatusMapping.DrainingTrailer, "true" } });

        Assert.True(BridgeStatusMapping.IsDraining(drained));
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, BridgeStatusMapping.ToCloseStatus(drained));
    }

    [Theory]
    [InlineData(StatusCode.Unavailable)]
    [InlineData(StatusCode.Internal)]
    public void IsDraining_ConnectionClosedGracefullyUnderTheStream_IsDraining(StatusCode code)
    {
        // What the gRPC client raises when the bridge's HTTP/2 connection ends with GOAWAY (NO_ERROR).
        var goAway = new HttpProtocolException(0, "The HTTP/2 server closed the connection. HTTP/2 error code 'NO_ERROR' (0x0).", null);
        var closed = new RpcException(new Status(code, "Error reading next message.", new IOException("The request was aborted.", goAway)));

        Assert.True(BridgeStatusMapping.IsDraining(closed));
    }

    [Fact]
    public void IsDraining_ConnectionResetOrOtherFailures_IsNotDraining()
    {
        var reset = new RpcException(new Status(StatusCode.Unavailable, "Error reading next message.",
            new HttpProtocolException(2, "The HTTP/2 server reset the stream. HTTP/2 error code 'INTERNAL_ERROR' (0x2).", null)));
        var ended = new RpcException(new Status(StatusCode.Unavailable, "Error reading next message.",
            new HttpIOException(HttpRequestError.ResponseEnded, "The response ended prematurely.")));

        Assert.False(BridgeStatusMapping.IsDraining(reset));
        Assert.False(BridgeStatusMapping.IsDraining(ended));
        Assert.False(BridgeStatusMapping.IsDraining(s_kafkaDown));
    }
}
