using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace KafkaWsProxy.TestSupport.Fuzzing;

/// <summary>
/// Drives hostile frames (<see cref="HostileFrameGenerator"/>) interleaved with valid ones through
/// a real edge and bridge, one socket per round, alternating /socket/in and /socket/out, and
/// checks the contract (docs/protocol.md §4-§6): every frame within the limits gets exactly one
/// answer (produce: in order, valid frames acked with their messageId), a valid commit is never
/// refused, and every close code is a documented one.
/// </summary>
public sealed class FuzzRunner(Func<string, string, Uri> socketUri, string topic, int maxFrameBytes)
{
    private static readonly TimeSpan s_answerTimeout = TimeSpan.FromSeconds(60);

    // Record frames carry JSON values as deep as the edge accepts (64), inside the frame's own levels.
    private static readonly JsonDocumentOptions s_deepJson = new() { MaxDepth = 256 };

    /// <summary>1000, 1001, 1008, 1009, 1011 (docs/protocol.md §6) and 1007 (a text frame that is not UTF-8, RFC 6455 §8.1).</summary>
    public static readonly IReadOnlySet<int> DocumentedCloseCodes = new HashSet<int> { 1000, 1001, 1007, 1008, 1009, 1011 };

    /// <summary>Runs rounds until <paramref name="rounds"/> are done or <paramref name="until"/> passes, whichever comes first.</summary>
    public async Task<FuzzReport> RunAsync(int seed, int rounds, DateTime until, CancellationToken cancellationToken)
    {
        var generator = new HostileFrameGenerator(seed, maxFrameBytes);
        var report = new FuzzReport(seed);
        for (var round = 0; round < rounds && DateTime.UtcNow < until && !cancellationToken.IsCancellationRequested; round++)
        {
            try
            {
                if (round % 3 == 2)
                {
                    await ConsumeRoundAsync(generator, report, round, cancellationToken);
                }
                else
                {
                    await ProduceRoundAsync(generator, report, round, cancellationToken);
                }
            }
            catch (Exception e) when (e is WebSocketException or TimeoutException or IOException or JsonException or OperationCanceledException)
            {
                report.Violation($"Round {round}: {e.GetType().Name}: {e.Message}");
            }

            report.Rounds++;
        }

        return report;
    }

    private async Task ProduceRoundAsync(HostileFrameGenerator generator, FuzzReport report, int round, CancellationToken cancellationToken)
    {
        var valType = round % 2 == 0 ? "string" : "json";
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(socketUri("/socket/in", $"clientId=fuzz-{generator.Seed}-{round}&topic={topic}&valType={valType}"), cancellationToken);

        var frames = new List<HostileFrame>();
        var count = 10 + (round * 7 % 50);
        for (var i = 0; i < count; i++)
        {
            var frame = generator.NextProduceFrame(allowClosing: i == count - 1);
            frames.Add(frame);
        }

        var answered = frames.Count(f => !f.EndsSocket);
        var receiving = ReceiveAsync(
            socket, stopAfterTexts: frames[^1].EndsSocket ? int.MaxValue : answered, mayDrop: frames[^1].Expectation == FrameExpectation.ClosesInvalidText,
            cancellationToken);
        foreach (var frame in frames)
        {
            report.Sent(frame);
            await SendAsync(socket, frame, cancellationToken);
        }

        var (texts, closed) = await receiving.WaitAsync(s_answerTimeout, cancellationToken);
        var where = $"Round {round} (/socket/in, valType={valType})";
        for (var i = 0; i < answered; i++)
        {
            if (i >= texts.Count && frames[^1].Expectation == FrameExpectation.ClosesInvalidText)
            {
                // The WebSocket layer fails the connection at once (RFC 6455 §8.1): answers still owed are not sent.
                break;
            }

            if (i >= texts.Count)
            {
                report.Violation($"{where}: frame {i} got no answer; {texts.Count} answers for {answered} frames; socket closed {socket.CloseStatus} {socket.CloseStatusDescription}. Frame: {frames[i]}");
                break;
            }

            CheckProduceAnswer(report, where, frames[i], texts[i]);
        }

        if (texts.Count > answered)
        {
            report.Violation($"{where}: {texts.Count - answered} answers more than frames.");
        }

        await FinishAsync(socket, frames[^1], closed ? null : Task.FromResult(false), report, where, cancellationToken);
    }

    private static void CheckProduceAnswer(FuzzReport report, string where, HostileFrame frame, string text)
    {
        using var answer = JsonDocument.Parse(text, s_deepJson);
        var root = answer.RootElement;
        var isAck = root.TryGetProperty("offset", out _);
        var isError = root.TryGetProperty("error", out var error) && error.TryGetProperty("code", out _);
        if (frame.Expectation == FrameExpectation.Valid)
        {
            if (!isAck || root.GetProperty("messageId").GetString() != frame.MessageId)
            {
                report.Violation($"{where}: a valid frame was not acked with its messageId: {Shorten(text)}. Frame: {frame}");
                return;
            }

            report.ValidFramesAcked++;
        }
        else if (!isAck && !isError)
        {
            report.Violation($"{where}: an answer is neither an ack nor an error frame: {Shorten(text)}. Frame: {frame}");
        }
    }

    private async Task ConsumeRoundAsync(HostileFrameGenerator generator, FuzzReport report, int round, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        var id = $"fuzz-{generator.Seed}-{round}";
        await socket.ConnectAsync(socketUri("/socket/out", $"clientId={id}&groupId={id}&topic={topic}&autoCommit=false"), cancellationToken);
        var where = $"Round {round} (/socket/out)";
        var records = new ConsumedRecords();
        var errors = new List<string>();
        var receiving = ReceiveConsumerFramesAsync(socket, records, errors, cancellationToken);

        var hostile = 0;
        var validCommits = new List<string>();
        var count = 10 + (round * 7 % 50);
        for (var i = 0; i < count; i++)
        {
            // Drawn every time, so the seed alone decides the hostile frames, whatever records arrived.
            var drawn = generator.NextCommitFrame(topic, allowClosing: false);
            var frame = i % 3 == 0 && records.NextToCommit() is { } commit ? HostileFrameGenerator.ValidCommit(commit) : drawn;
            if (frame.Expectation == FrameExpectation.Valid)
            {
                validCommits.Add(frame.MessageId);
            }
            else
            {
                hostile++;
            }

            report.Sent(frame);
            await SendAsync(socket, frame, cancellationToken);
        }

        try
        {
            await Eventually.TrueAsync(() => errors.Count >= hostile || receiving.IsCompleted, "an error frame for every hostile commit frame", s_answerTimeout);
        }
        catch (TimeoutException)
        {
            // Reported below as a violation, with the counts.
        }
        lock (errors)
        {
            if (errors.Count != hostile)
            {
                report.Violation($"{where}: {errors.Count} error frames for {hostile} hostile frames; socket {socket.State} {socket.CloseStatus}.");
            }

            foreach (var refused in errors.Where(e => validCommits.Any(c => e.Contains($"\"{c}\"", StringComparison.Ordinal))))
            {
                report.Violation($"{where}: a valid commit was refused: {Shorten(refused)}");
            }
        }

        report.ValidFramesAcked += validCommits.Count;

        // A closing frame last, once every answer is in: the consumer's answers are not owed past a close.
        var last = generator.NextCommitFrame(topic, allowClosing: true);
        if (last.EndsSocket)
        {
            report.Sent(last);
            await SendAsync(socket, last, cancellationToken);
        }

        if (last.EndsSocket)
        {
            await receiving.WaitAsync(s_answerTimeout, cancellationToken);
        }

        if (receiving.IsFaulted)
        {
            report.Violation($"{where}: reading the socket failed: {receiving.Exception?.InnerException}");
            return;
        }

        await FinishAsync(socket, last, receiving.IsCompleted ? null : receiving, report, where, cancellationToken);
    }

    /// <summary>
    /// Closes the round's socket: the server's close for a closing frame, else the client's, answered 1000.
    /// </summary>
    /// <param name="receiving">The round's receive loop when it still runs (null once the server's close arrived):
    /// the client then sends its close and lets that loop read the server's answer.</param>
    private static async Task FinishAsync(
        ClientWebSocket socket, HostileFrame last, Task<bool>? receiving, FuzzReport report, string where, CancellationToken cancellationToken)
    {
        if (receiving is not null && socket.State == WebSocketState.Open)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(s_answerTimeout);
            if (receiving.IsCompleted)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "fuzz round done", deadline.Token);
            }
            else
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "fuzz round done", deadline.Token);
                await receiving.WaitAsync(s_answerTimeout, cancellationToken);
            }
        }

        var code = (int?)socket.CloseStatus;
        if (code is null && last.Expectation == FrameExpectation.ClosesInvalidText)
        {
            // .NET's WebSocket sends its 1007 close and then drops the connection, which may
            // reset it before the client reads that close (docs/protocol.md §6).
            report.Closed(1007);
            return;
        }

        if (code is null)
        {
            report.Violation($"{where}: the connection ended without a close frame (1006); socket {socket.State}, "
                + $"receive loop {(receiving is null ? "done before" : receiving.Status.ToString())}.");
            return;
        }

        report.Closed(code.Value);
        if (!DocumentedCloseCodes.Contains(code.Value))
        {
            report.Violation($"{where}: closed with undocumented code {code} ({socket.CloseStatusDescription}).");
        }

        var expected = last.Expectation switch
        {
            FrameExpectation.ClosesTooLarge => 1009,
            FrameExpectation.ClosesInvalidText => 1007,
            _ => 1000,
        };
        if (code != expected)
        {
            report.Violation($"{where}: closed with {code} ({socket.CloseStatusDescription}) where {expected} was due after {last.Kind}.");
        }
    }

    private static async Task SendAsync(ClientWebSocket socket, HostileFrame frame, CancellationToken cancellationToken) =>
        await socket.SendAsync(frame.Payload, frame.IsBinary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, cancellationToken);

    /// <summary>Text frames until <paramref name="stopAfterTexts"/> arrived (Closed false) or the server closed (Closed true; also a dropped connection where <paramref name="mayDrop"/>).</summary>
    private static async Task<(List<string> Texts, bool Closed)> ReceiveAsync(
        ClientWebSocket socket, int stopAfterTexts, bool mayDrop, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var texts = new List<string>();
        try
        {
            while (texts.Count < stopAfterTexts)
            {
                var (type, text) = await ReceiveMessageAsync(socket, cancellationToken);
                if (type == WebSocketMessageType.Close)
                {
                    return (texts, true);
                }

                texts.Add(text);
            }
        }
        catch (WebSocketException) when (mayDrop)
        {
            return (texts, true);
        }

        return (texts, false);
    }

    /// <summary>Records and error frames until the server closes; true then.</summary>
    private static async Task<bool> ReceiveConsumerFramesAsync(
        ClientWebSocket socket, ConsumedRecords records, List<string> errors, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            while (true)
            {
                var (type, text) = await ReceiveMessageAsync(socket, cancellationToken);
                if (type == WebSocketMessageType.Close)
                {
                    return true;
                }

                using var frame = JsonDocument.Parse(text, s_deepJson);
                if (frame.RootElement.ValueKind == JsonValueKind.Object && !frame.RootElement.TryGetProperty("offset", out _))
                {
                    lock (errors)
                    {
                        errors.Add(text);
                    }
                }
                else if (frame.RootElement.ValueKind == JsonValueKind.Object)
                {
                    records.Received(frame.RootElement);
                }
            }
        }
        catch (WebSocketException) when (socket.State is WebSocketState.Aborted or WebSocketState.Closed)
        {
            // The client closed its side: the round is over.
            return false;
        }
    }

    private static async Task<(WebSocketMessageType Type, string Text)> ReceiveMessageAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(chunk, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketMessageType.Close, "");
            }

            buffer.Write(chunk, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            }
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";

    /// <summary>The records a consumer round received, and the newest per partition not yet committed.</summary>
    private sealed class ConsumedRecords
    {
        private readonly Dictionary<int, (long Offset, string Id)> _newest = [];
        private readonly Dictionary<int, long> _committed = [];

        public void Received(JsonElement record)
        {
            if (!record.TryGetProperty("wsProxyMessageId", out var id) || !record.TryGetProperty("partition", out var partition))
            {
                return;
            }

            lock (_newest)
            {
                var offset = record.GetProperty("offset").GetInt64();
                var number = partition.GetInt32();
                if (!_newest.TryGetValue(number, out var newest) || newest.Offset < offset)
                {
                    _newest[number] = (offset, id.GetString()!);
                }
            }
        }

        /// <summary>The id of a received record newer than what was committed of its partition, or null.</summary>
        public string? NextToCommit()
        {
            lock (_newest)
            {
                foreach (var (partition, newest) in _newest)
                {
                    if (!_committed.TryGetValue(partition, out var committed) || committed < newest.Offset)
                    {
                        _committed[partition] = newest.Offset;
                        return newest.Id;
                    }
                }

                return null;
            }
        }
    }
}
