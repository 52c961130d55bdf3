using KafkaWsProxy.Bridge.Configuration;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>
/// Decides when a stream's partitions are paused. With no room the stream simply
/// stops taking records; only when that lasts <see cref="ConsumeOptions.PauseAfterStall"/>
/// are the partitions paused (pausing drops librdkafka's prefetched records, which a
/// resume must fetch again). They resume once there is room.
/// </summary>
internal sealed class StallPause(TimeSpan pauseAfterStall, TimeProvider time)
{
    private long? _stalledSince;
    private bool _pauseNewAssignments;

    public bool IsPaused { get; private set; }

    /// <summary>Partitions were assigned: while paused, they must be paused too.</summary>
    public void Assigned() => _pauseNewAssignments = IsPaused;

    /// <summary>True: pause the assignment; false: resume it; null: leave it as it is.</summary>
    public bool? Decide(bool noRoom)
    {
        if (!noRoom)
        {
            _stalledSince = null;
        }
        else
        {
            _stalledSince ??= time.GetTimestamp();
        }

        var shouldPause = _stalledSince is { } since && time.GetElapsedTime(since) >= pauseAfterStall;
        if (shouldPause == IsPaused && !(IsPaused && _pauseNewAssignments))
        {
            return null;
        }

        IsPaused = shouldPause;
        _pauseNewAssignments = false;
        return shouldPause;
    }
}
