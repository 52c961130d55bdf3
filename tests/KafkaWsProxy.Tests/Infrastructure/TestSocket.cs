using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace KafkaWsProxy.Tests.Infrastructure;

/// <summary>A real ClientWebSocket with the helpers tests need; every receive has a deadline.</summary>
internal sealed class TestSocket : IAsyncDisposable
{
    private static readonly TimeSpan s_receiveTimeout = TimeSpan.FromSeconds(30);

    private readonly ClientWebSocket _socket = new();
    private Task<(WebSocketMessageType Type, string Text)>? _pending;
    private string? _unexpected;

    private TestSocket()
    {
    }

    public WebSocket Socket => _socket;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseDescription => _socket.CloseStatusDescription;

    public static async Task<TestSocket> ConnectAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new TestSocket();
        configure?.Invoke(socket._socket.Options);
        using var timeout = new CancellationTokenSource(s_receiveTimeout);
        await socket._socket.ConnectAsync(uri, timeout.Token);
        return socket;
    }

    public Task SendTextAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    public Task SendBinaryAsync(byte[] bytes) =>
        _socket.SendAsync(bytes, WebSocketMessageType.Binary, true, CancellationToken.None);

    public Task SendJsonAsync(object frame) => SendTextAsync(JsonSerializer.Serialize(frame));

    /// <summary>The next text frame as JSON; fails on close or timeout.</summary>
    public async Task<JsonElement> ReceiveJsonAsync(TimeSpan? timeout = null)
    {
        var (type, text) = await ReceiveAsync(timeout);
        Assert.True(type == WebSocketMessageType.Text, $"Expected a text frame, got {type} ({CloseStatus} {CloseDescription}).");
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Receives until the server's close frame arrives; returns the text frames seen before it.</summary>
    public async Task<List<string>> ReceiveUntilCloseAsync(TimeSpan? timeout = null)
    {
        var frames = new List<string>();
        while (true)
        {
            var (type, text) = await ReceiveAsync(timeout);
            if (type == WebSocketMessageType.Close)
            {
                return frames;
            }

            frames.Add(text);
        }
    }

    /// <summary>
    /// The next message. A receive that times out stays pending and is picked up
    /// by the next call, so a timeout never aborts the socket.
    /// </summary>
    public async Task<(WebSocketMessageType Type, string Text)> ReceiveAsync(TimeSpan? timeout = null)
    {
        _pending ??= ReceiveCoreAsync();
        var finished = await Task.WhenAny(_pending, Task.Delay(timeout ?? s_receiveTimeout));
        if (finished != _pending)
        {
            throw new TimeoutException($"No frame within {timeout ?? s_receiveTimeout}.");
        }

        var received = await _pending;
        _pending = null;
        return received;
    }

    /// <summary>True when no frame arrives within <paramref name="quiet"/> (the socket stays usable).</summary>
    public async Task<bool> IsQuietForAsync(TimeSpan quiet)
    {
        try
        {
            var (type, text) = await ReceiveAsync(quiet);
            _unexpected = $"{type}: {text}";
            return false;
        }
        catch (TimeoutException)
        {
            return true;
        }
    }

    /// <summary>What arrived when <see cref="IsQuietForAsync"/> said false.</summary>
    public string? Unexpected => _unexpected;

    private async Task<(WebSocketMessageType Type, string Text)> ReceiveCoreAsync()
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var result = await _socket.ReceiveAsync(chunk, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketMessageType.Close, "");
            }

            buffer.Write(chunk, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, Encoding.UTF8.GetString(buffer.ToArray()));
            }
        }
    }

    /// <summary>Client-initiated close handshake.</summary>
    public async Task CloseAsync()
    {
        using var deadline = new CancellationTokenSource(s_receiveTimeout);
        await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", deadline.Token);
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
