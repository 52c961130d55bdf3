using System.Diagnostics;

namespace KafkaWsProxy.Benchmarks.Infrastructure;

/// <summary>Paces production: what is owed at a steady rate, in slices of 10 ms.</summary>
internal static class SteadyRate
{
    /// <summary>
    /// Calls <paramref name="produceOne"/> (with the record's number, from 0) <paramref name="rate"/> times a second
    /// until <paramref name="duration"/> has passed or <paramref name="stop"/> is cancelled; returns how many times.
    /// </summary>
    public static async Task<long> RunAsync(int rate, TimeSpan duration, Action<long> produceOne, CancellationToken stop = default)
    {
        var started = Stopwatch.GetTimestamp();
        long produced = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (Stopwatch.GetElapsedTime(started) < duration && !stop.IsCancellationRequested)
        {
            var owed = (long)(Stopwatch.GetElapsedTime(started).TotalSeconds * rate) - produced;
            for (; owed > 0; owed--)
            {
                produceOne(produced++);
            }

            try
            {
                await timer.WaitForNextTickAsync(stop);
            }
            catch (OperationCanceledException)
            {
            }
        }

        return produced;
    }
}
