using System.Net.WebSockets;
using KafkaWsProxy.Benchmarks.Infrastructure;

namespace KafkaWsProxy.Benchmarks.Scenarios;

/// <summary>
/// Records through the proxy both ways before anything is measured, untimed: edge
/// and bridge are long-running services, and a cold run measured their JIT
/// compilation too (consume measured alone cost edge + bridge ~2.9 CPU-s per 100k
/// records, warm ~1.3).
/// </summary>
internal static class WarmUp
{
    private static readonly TimeSpan s_deadline = TimeSpan.FromMinutes(2);

    public static async Task RunAsync(BenchEnvironment environment, BenchOptions options)
    {
        var records = options.Quick ? 500 : 20_000;
        Console.WriteLine($"[warm-up] {records:N0} records through /socket/in and back through /socket/out (not measured)");
        var topic = await environment.CreateTopicAsync("warm-up");
        var value = Records.Value(options.ValueBytes);

        await using (var socket = await ProduceSocket.ConnectAsync(
            environment.SocketUri("/socket/in", $"clientId=bench-warm-up&topic={topic}&keyType=string"), options.InFlight, new LatencyRecorder()))
        {
            var acked = socket.ExpectAsync(records);
            for (var i = 0; i < records; i++)
            {
                await socket.SendAsync(Records.ProduceFrame(i, value, "w"));
            }

            await acked.WaitAsync(s_deadline);
        }

        var consumer = new ClientWebSocket();
        try
        {
            using var timeout = new CancellationTokenSource(s_deadline);
            await consumer.ConnectAsync(
                environment.SocketUri("/socket/out", $"clientId=bench-warm-up-{Guid.NewGuid():N}&topic={topic}&offsetResetStrategy=earliest"),
                timeout.Token);
            var reader = new WsMessageReader(consumer);
            for (var read = 0; read < records; read++)
            {
                _ = await reader.ReceiveAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"The edge closed the warm-up socket after {read} records.");
            }
        }
        finally
        {
            await WsFrames.CloseQuietlyAsync(consumer);
        }
    }
}
