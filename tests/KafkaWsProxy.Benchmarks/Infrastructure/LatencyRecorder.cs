using System.Diagnostics;
using HdrHistogram;

namespace KafkaWsProxy.Benchmarks.Infrastructure;

/// <summary>Ack latencies in microseconds (HdrHistogram, 3 significant digits, up to 5 minutes).</summary>
internal sealed class LatencyRecorder
{
    private const long Highest = 300_000_000;
    private readonly LongHistogram _histogram = new(Highest, 3);
    private readonly Lock _gate = new();

    public long Count
    {
        get
        {
            lock (_gate)
            {
                return _histogram.TotalCount;
            }
        }
    }

    /// <summary>Records the time from <paramref name="startTimestamp"/> (a Stopwatch timestamp) until now.</summary>
    public void RecordSince(long startTimestamp)
    {
        var micros = (long)Stopwatch.GetElapsedTime(startTimestamp).TotalMicroseconds;
        lock (_gate)
        {
            _histogram.RecordValue(Math.Clamp(micros, 0, Highest));
        }
    }

    public void Reset()
    {
        lock (_gate)
        {
            _histogram.Reset();
        }
    }

    /// <summary>The latency at a percentile, in milliseconds.</summary>
    public double PercentileMs(double percentile)
    {
        lock (_gate)
        {
            return _histogram.TotalCount == 0 ? 0 : _histogram.GetValueAtPercentile(percentile) / 1000.0;
        }
    }
}
