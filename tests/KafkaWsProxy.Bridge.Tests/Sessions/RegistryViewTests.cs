using KafkaWsProxy.Bridge.Sessions;

namespace KafkaWsProxy.Bridge.Tests.Sessions;

/// <summary>The registry's decision rule: the log's order decides, expired entries do not count.</summary>
public sealed class RegistryViewTests
{
    private static readonly TimeSpan s_ttl = TimeSpan.FromSeconds(30);

    private static SessionEntry Producer(string member, string session) => new(SessionKind.Producer, "client", member, "bridge", session);

    private static SessionEntry Consumer(string member, string session) => new(SessionKind.Consumer, "group", member, "bridge", session);

    [Fact]
    public void Decide_WithinLimitInLogOrder_FirstClaimsWinLaterAreRefused()
    {
        var view = new RegistryView(s_ttl);
        var a = Producer("a", "1");
        var b = Producer("b", "2");
        view.Apply(a.Key, a, offset: 10, timestampMs: 1000);
        view.Apply(b.Key, b, offset: 11, timestampMs: 1000);

        Assert.Null(view.Decide(a, limit: 1, nowMs: 1000));
        Assert.Equal(ClaimRefusal.LimitReached, view.Decide(b, limit: 1, nowMs: 1000));
        Assert.Null(view.Decide(b, limit: 2, nowMs: 1000));
        Assert.Null(view.Decide(b, limit: 0, nowMs: 1000));
    }

    [Fact]
    public void Decide_AfterTheEarlierSessionIsRemoved_LaterClaimIsGranted()
    {
        var view = new RegistryView(s_ttl);
        var a = Producer("a", "1");
        var b = Producer("b", "2");
        view.Apply(a.Key, a, 10, 1000);
        view.Apply(b.Key, b, 11, 1000);
        view.Apply(a.Key, null, 12, 1000);

        Assert.Null(view.Decide(b, limit: 1, nowMs: 1000));
    }

    [Fact]
    public void Decide_EarlierSessionWithoutHeartbeatForTheTtl_NoLongerCounts()
    {
        var view = new RegistryView(s_ttl);
        var dead = Producer("a", "1");
        var fresh = Producer("b", "2");
        view.Apply(dead.Key, dead, 10, timestampMs: 0);
        view.Apply(fresh.Key, fresh, 11, timestampMs: 31_000);

        Assert.Null(view.Decide(fresh, limit: 1, nowMs: 31_000));
    }

    [Fact]
    public void Decide_HeartbeatKeepsThePlaceInLine()
    {
        var view = new RegistryView(s_ttl);
        var a = Producer("a", "1");
        var b = Producer("b", "2");
        view.Apply(a.Key, a, 10, 0);
        view.Apply(b.Key, b, 11, 1000);
        view.Apply(a.Key, a, 12, 20_000);

        Assert.Equal(ClaimRefusal.LimitReached, view.Decide(b, limit: 1, nowMs: 40_000));
    }

    [Fact]
    public void Decide_SameConsumerTwice_NewerIsGrantedAndSupersedesTheOlderOnceGranted()
    {
        var view = new RegistryView(s_ttl);
        var first = Consumer("twin", "1");
        var second = Consumer("twin", "2");
        view.Apply(first.Key, first with { Granted = true }, 1, 0);
        view.Apply(second.Key, second, 2, 0);

        Assert.Null(view.Decide(second, limit: 0, nowMs: 0));
        Assert.False(view.IsSuperseded(first, 0));
        view.Apply(second.Key, second with { Granted = true }, 3, 0);
        Assert.True(view.IsSuperseded(first, 0));
        Assert.Equal("2", view.SupersededBy(first, 0)?.SessionId);
        Assert.False(view.IsSuperseded(second, 0));
    }

    [Fact]
    public void Decide_ConsumerBackAfterACrashAtTheLimit_TakesOverItsOwnUnexpiredSlot()
    {
        // The crashed socket's entry has not expired (no heartbeat for 5 s of a 30 s TTL).
        var view = new RegistryView(s_ttl);
        var crashed = Consumer("back", "1");
        var other = Consumer("other", "2");
        var returning = Consumer("back", "3");
        view.Apply(crashed.Key, crashed with { Granted = true }, 1, 0);
        view.Apply(other.Key, other with { Granted = true }, 2, 0);
        view.Apply(returning.Key, returning, 3, 5_000);

        Assert.Null(view.Decide(returning, limit: 2, nowMs: 5_000));
    }

    [Fact]
    public void Decide_OtherConsumerAtTheLimit_IsRefusedAndASupersededSlotCountsOnce()
    {
        var view = new RegistryView(s_ttl);
        var older = Consumer("a", "1");
        var b = Consumer("b", "2");
        var newer = Consumer("a", "3");
        var c = Consumer("c", "4");
        view.Apply(older.Key, older with { Granted = true }, 1, 0);
        view.Apply(b.Key, b with { Granted = true }, 2, 0);
        view.Apply(newer.Key, newer with { Granted = true }, 3, 0);
        view.Apply(c.Key, c, 4, 0);

        Assert.Equal(ClaimRefusal.LimitReached, view.Decide(c, limit: 2, nowMs: 0));
        Assert.Null(view.Decide(c, limit: 3, nowMs: 0));
    }

    [Fact]
    public void Decide_ClaimRemovedBeforeItWasRead_IsLost()
    {
        var view = new RegistryView(s_ttl);
        var claim = Consumer("a", "1");
        view.Apply(claim.Key, claim, 1, 0);
        view.Apply(claim.Key, null, 2, 0);

        Assert.Equal(ClaimRefusal.ClaimLost, view.Decide(claim, limit: 0, nowMs: 0));
    }

    [Fact]
    public void Decide_SameProducerInstanceAgain_ReplacesTheOlderWhichIsSupersededOnceGranted()
    {
        var view = new RegistryView(s_ttl);
        var older = Producer("instance", "1");
        var newer = Producer("instance", "2");
        view.Apply(older.Key, older with { Granted = true }, 1, 0);
        view.Apply(newer.Key, newer, 2, 0);

        Assert.Null(view.Decide(newer, limit: 1, nowMs: 0));
        Assert.False(view.IsSuperseded(older, 0));
        view.Apply(newer.Key, newer with { Granted = true }, 3, 0);
        Assert.True(view.IsSuperseded(older, 0));
        Assert.False(view.IsSuperseded(newer, 0));
    }
}
