using System.Collections.Concurrent;

namespace KafkaWsProxy.TestSupport.Fuzzing;

/// <summary>What a fuzz run sent, what came back, and every broken rule (empty when the proxy held).</summary>
public sealed class FuzzReport(int seed)
{
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly ConcurrentDictionary<string, int> _framesByKind = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, int> _closeCodes = new();

    public int Seed { get; } = seed;

    public int Rounds { get; set; }

    public int ValidFramesAcked { get; set; }

    public IReadOnlyCollection<string> Violations => _violations;

    public IReadOnlyDictionary<string, int> FramesByKind => _framesByKind;

    public IReadOnlyDictionary<int, int> CloseCodes => _closeCodes;

    public void Sent(HostileFrame frame) => _framesByKind.AddOrUpdate(frame.Kind, 1, (_, n) => n + 1);

    public void Closed(int code) => _closeCodes.AddOrUpdate(code, 1, (_, n) => n + 1);

    public void Violation(string what) => _violations.Enqueue(what);

    public override string ToString() =>
        $"Fuzz seed {Seed}: {Rounds} rounds, {FramesByKind.Values.Sum()} frames ("
        + string.Join(", ", FramesByKind.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => $"{k.Key} {k.Value}"))
        + $"), {ValidFramesAcked} valid frames acked, closes: "
        + string.Join(", ", CloseCodes.OrderBy(c => c.Key).Select(c => $"{c.Key} x{c.Value}"))
        + (Violations.Count == 0 ? "; no violations." : $"; {Violations.Count} violations:{Environment.NewLine}" + string.Join(Environment.NewLine, Violations.Take(20)));
}
