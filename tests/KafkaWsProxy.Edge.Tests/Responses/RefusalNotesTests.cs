using System.Net.WebSockets;
using KafkaWsProxy.Edge.Responses;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace KafkaWsProxy.Edge.Tests.Responses;

/// <summary>The refusal notes the console reads: kept only when asked, read once, bounded in time and number.</summary>
public sealed class RefusalNotesTests
{
    private const string Id = "0123456789abcdef0123456789abcdef";

    [Fact]
    public void Refusal_WithRefusalId_IsReadOnceWithItsStatusAndMessage()
    {
        var notes = new RefusalNotes(new ManualTime());

        notes.RecordIfAsked(Handshake($"refusalId={Id}"), 400, "Topic x does not exist");

        Assert.Equal((400, "Topic x does not exist"), notes.Take(Id));
        Assert.Null(notes.Take(Id));
    }

    [Theory]
    [InlineData("refusalId=short", true)]
    [InlineData("refusalId=0123456789abcdef<script>", true)]
    [InlineData("refusalId=" + Id + "&refusalId=" + Id, true)]
    [InlineData("clientId=c", true)]
    [InlineData("refusalId=" + Id, false)]
    public void Refusal_BadOrMissingIdOrNotAHandshake_IsNotKept(string query, bool isHandshake)
    {
        var notes = new RefusalNotes(new ManualTime());

        notes.RecordIfAsked(isHandshake ? Handshake(query) : Plain(query), 400, "no");

        Assert.Null(notes.Take(Id));
        Assert.Null(notes.Take("short"));
    }

    [Fact]
    public void Refusal_OlderThanItsLifetime_IsGone()
    {
        var time = new ManualTime();
        var notes = new RefusalNotes(time);
        notes.RecordIfAsked(Handshake($"refusalId={Id}"), 401, "Authentication required");

        time.Advance(RefusalNotes.Lifetime);

        Assert.Null(notes.Take(Id));
    }

    [Fact]
    public void Refusals_BeyondCapacity_AreDroppedUntilOldOnesExpire()
    {
        var time = new ManualTime();
        var notes = new RefusalNotes(time);
        for (var i = 0; i < RefusalNotes.Capacity; i++)
        {
            notes.RecordIfAsked(Handshake($"refusalId={i:D32}"), 400, $"n{i}");
        }

        notes.RecordIfAsked(Handshake($"refusalId={Id}"), 400, "one too many");
        Assert.Null(notes.Take(Id));

        time.Advance(RefusalNotes.Lifetime);
        notes.RecordIfAsked(Handshake($"refusalId={Id}"), 400, "room again");
        Assert.Equal((400, "room again"), notes.Take(Id));
    }

    private static DefaultHttpContext Handshake(string query) => Context(query, isWebSocket: true);

    private static DefaultHttpContext Plain(string query) => Context(query, isWebSocket: false);

    private static DefaultHttpContext Context(string query, bool isWebSocket)
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString("?" + query);
        context.Features.Set<IHttpWebSocketFeature>(new WebSocketRequest(isWebSocket));
        return context;
    }

    private sealed class WebSocketRequest(bool isWebSocket) : IHttpWebSocketFeature
    {
        public bool IsWebSocketRequest => isWebSocket;

        public Task<WebSocket> AcceptAsync(WebSocketAcceptContext context) => throw new NotSupportedException();
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
