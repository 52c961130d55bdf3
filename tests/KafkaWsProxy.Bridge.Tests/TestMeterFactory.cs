using System.Diagnostics.Metrics;

namespace KafkaWsProxy.Bridge.Tests;

/// <summary>Meters for components built directly in a test (no host, nobody listening).</summary>
internal sealed class TestMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        _meters.Add(meter);
        return meter;
    }

    public void Dispose() => _meters.ForEach(m => m.Dispose());
}
