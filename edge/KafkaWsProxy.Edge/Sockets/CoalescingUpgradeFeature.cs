using Microsoft.AspNetCore.Http.Features;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>
/// Wraps the connection's upgrade so the WebSocket that ASP.NET Core builds on
/// it writes through a <see cref="CoalescingStream"/> and reads through a
/// <see cref="ReadAheadStream"/>. Installed before the
/// WebSockets middleware, which takes the upgrade feature when a request arrives.
/// </summary>
internal sealed class CoalescingUpgradeFeature(IHttpUpgradeFeature inner, int maxHeldBytes) : IHttpUpgradeFeature
{
    public bool IsUpgradableRequest => inner.IsUpgradableRequest;

    /// <summary>The upgraded stream, once the WebSocket was accepted.</summary>
    public CoalescingStream? Output { get; private set; }

    public async Task<Stream> UpgradeAsync()
    {
        Output = new CoalescingStream(new ReadAheadStream(await inner.UpgradeAsync().ConfigureAwait(false)), maxHeldBytes);
        return Output;
    }

    /// <summary>Wraps the upgrade of an HTTP/1.1 upgrade request; other requests are left alone.</summary>
    public static void Install(HttpContext context, int maxHeldBytes)
    {
        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } upgrade)
        {
            var feature = new CoalescingUpgradeFeature(upgrade, maxHeldBytes);
            context.Features.Set<IHttpUpgradeFeature>(feature);
            context.Features.Set(feature);
        }
    }

    /// <summary>The batching of an accepted socket: its coalescing stream, or none.</summary>
    public static IOutputBatching BatchingOf(HttpContext context) =>
        (IOutputBatching?)context.Features.Get<CoalescingUpgradeFeature>()?.Output ?? NoOutputBatching.Instance;
}
