using System.Globalization;

namespace KafkaWsProxy.Benchmarks.Infrastructure;

/// <summary>Sizes of one run; <c>--quick</c> makes a smoke run of seconds.</summary>
internal sealed class BenchOptions
{
    private static readonly HashSet<string> s_allScenarios = ["produce", "floor", "consume", "latency", "connections"];

    // Run only when asked for (--only fuzz, or --fuzz-seconds): it checks, it does not measure.
    // broadcast: run only when asked for (--only broadcast): thousands of sockets, minutes.
    // resume: run only when asked for (--only resume): a group rebalance, seconds of waiting.
    private static readonly HashSet<string> s_knownScenarios = [.. s_allScenarios, "fuzz", "broadcast", "resume"];

    public bool Quick { get; private set; }

    /// <summary>Broadcast sockets of each step of the broadcast scenario.</summary>
    public IReadOnlyList<int> BroadcastSockets { get; private set; } = [1_000, 10_000];

    /// <summary>Records per second produced in the broadcast scenario.</summary>
    public int BroadcastRate { get; private set; } = 1_000;

    /// <summary>Seconds each broadcast step produces.</summary>
    public int BroadcastSeconds { get; private set; } = 20;

    /// <summary>batchSize of the broadcast sockets (0: one record per frame); 100 is a dashboard's ten frames a second at 1,000 records/s.</summary>
    public int BroadcastBatchSize { get; private set; } = 100;

    /// <summary>Records produced by each side in the produce scenario.</summary>
    public int ProduceRecords { get; private set; } = 100_000;

    /// <summary>WebSocket clients of the proxy in the produce scenario.</summary>
    public int ProduceSockets { get; private set; } = 4;

    /// <summary>Records in flight per socket in the produce scenario.</summary>
    public int InFlight { get; private set; } = 500;

    /// <summary>Records pre-filled and read in the consume scenario.</summary>
    public int ConsumeRecords { get; private set; } = 100_000;

    /// <summary>Records between two commits of the autoCommit=false reader.</summary>
    public int CommitEvery { get; private set; } = 100;

    /// <summary>Records per second of the latency scenario.</summary>
    public int LatencyRate { get; private set; } = 1_000;

    public int LatencySeconds { get; private set; } = 30;

    public int ValueBytes { get; private set; } = 100;

    /// <summary>The steps of the connection scale scenario: idle /out sockets held at once, in increasing order.</summary>
    public IReadOnlyList<int> Connections { get; private set; } = [100, 500, 1_000, 2_000];

    /// <summary>
    /// Bridges behind one edge in the connection scale scenario, one run per entry; the steps
    /// are per bridge (K sockets per bridge, K × B in all). 1: the benchmark's own bridge.
    /// </summary>
    public IReadOnlyList<int> ConnectionBridges { get; private set; } = [1];

    /// <summary>How long each step of the connection scale scenario holds its sockets.</summary>
    public int HoldSeconds { get; private set; } = 30;

    /// <summary>How long the fuzz scenario sends hostile frames.</summary>
    public int FuzzSeconds { get; private set; } = 60;

    /// <summary>The fuzz scenario's seed: the same seed sends the same frames.</summary>
    public int FuzzSeed { get; private set; } = Environment.TickCount & int.MaxValue;

    /// <summary>The scenarios to run (all measured ones when <c>--only</c> is not given).</summary>
    public IReadOnlySet<string> Scenarios { get; private set; } = s_allScenarios;

    /// <summary>An earlier run's JSON to print this run's figures against (<c>--compare FILE</c>).</summary>
    public string? CompareWith { get; private set; }

    public string OutputDirectory { get; private set; } = Path.Combine(BuildOutputs.RepositoryRoot, "bench-results");

    public static string Usage => """
        Usage: bench.sh [--quick] [--out DIR] [--produce-records N] [--sockets C] [--in-flight W]
                        [--consume-records M] [--commit-every K] [--latency-rate R] [--latency-seconds D]
                        [--connections K1,K2,...] [--bridges B1,B2,...] [--hold-seconds H] [--only produce,floor,consume,latency,connections,fuzz]
                        [--fuzz-seconds S] [--fuzz-seed N] [--compare FILE]
                        [--only broadcast [--broadcast-sockets N1,N2,...] [--broadcast-rate R] [--broadcast-seconds D] [--broadcast-batch-size B]]
                        [--only resume]
          --quick   a smoke run of seconds (2,000 records, 2 s of latency, 20 sockets held 2 s)
          --only floor    the WebSocket floor: the produce client against a minimal Kestrel WebSocket
                          server in this process (no Kafka); with produce, the proxy as a ratio of it
          --connections   steps of idle /out sockets held at once (default 100,500,1000,2000)
          --bridges       connections: run once per entry with B bridges behind one edge, K sockets per bridge (default 1)
          --hold-seconds  how long each step holds its sockets (default 30)
          --fuzz-seconds  run the hostile-frame fuzz (also --only fuzz) for S seconds (default 60); fails on any broken rule
          --fuzz-seed     the fuzz's seed (default: random, printed)
          --only broadcast  N broadcast sockets sharing one consumer, R records/s for D s in frames of B records, each step first against the broadcast floor (default 1000,10000 sockets, 1000/s, 20 s, B 100)
          --only resume   two members of a group, one's connection dropped for a second and back: without and with resumeWindowMs
          --compare FILE  print each figure against the same figure of an earlier run's bench-*.json, with the ratio
          KAFKA_BOOTSTRAP_SERVERS set: run against that Kafka instead of the embedded broker.
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        if (args.Contains("--quick"))
        {
            options.Quick = true;
            options.ProduceRecords = 2_000;
            options.ConsumeRecords = 2_000;
            options.LatencySeconds = 2;
            options.Connections = [20];
            options.HoldSeconds = 2;
            options.BroadcastSockets = [100];
        }

        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int NextInt() => int.Parse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture) is var n and > 0
                ? n
                : throw new ArgumentException($"{args[i - 1]} must be positive.");
            switch (args[i])
            {
                case "--quick":
                    break;
                case "--only":
                    var only = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
                    options.Scenarios = only.IsSubsetOf(s_knownScenarios) && only.Count > 0
                        ? only
                        : throw new ArgumentException($"--only takes some of: {string.Join(',', s_knownScenarios)}.");
                    break;
                case "--out":
                    options.OutputDirectory = Path.GetFullPath(Next());
                    break;
                case "--produce-records":
                    options.ProduceRecords = NextInt();
                    break;
                case "--sockets":
                    options.ProduceSockets = NextInt();
                    break;
                case "--in-flight":
                    options.InFlight = NextInt();
                    break;
                case "--consume-records":
                    options.ConsumeRecords = NextInt();
                    break;
                case "--commit-every":
                    options.CommitEvery = NextInt();
                    break;
                case "--latency-rate":
                    options.LatencyRate = NextInt();
                    break;
                case "--latency-seconds":
                    options.LatencySeconds = NextInt();
                    break;
                case "--connections":
                    options.Connections = ParseSteps(args[i], Next());
                    break;
                case "--bridges":
                    options.ConnectionBridges = ParseSteps(args[i], Next());
                    break;
                case "--hold-seconds":
                    options.HoldSeconds = NextInt();
                    break;
                case "--fuzz-seconds":
                    options.FuzzSeconds = NextInt();
                    options.Scenarios = new HashSet<string>(options.Scenarios) { "fuzz" };
                    break;
                case "--compare":
                    var earlier = Path.GetFullPath(Next());
                    options.CompareWith = File.Exists(earlier) ? earlier : throw new ArgumentException($"--compare: no file at {earlier}.");
                    break;
                case "--fuzz-seed":
                    options.FuzzSeed = NextInt();
                    break;
                case "--broadcast-sockets":
                    options.BroadcastSockets = ParseSteps(args[i], Next());
                    break;
                case "--broadcast-rate":
                    options.BroadcastRate = NextInt();
                    break;
                case "--broadcast-seconds":
                    options.BroadcastSeconds = NextInt();
                    break;
                case "--broadcast-batch-size":
                    options.BroadcastBatchSize = NextInt();
                    break;
                default:
                    throw new ArgumentException($"Unknown option {args[i]}.");
            }
        }

        return options;
    }

    /// <summary>A comma-separated list of positive counts, as distinct steps in increasing order.</summary>
    private static int[] ParseSteps(string option, string value)
    {
        var steps = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(step => int.TryParse(step, NumberStyles.Integer, CultureInfo.InvariantCulture, out var k) && k > 0
                ? k
                : throw new ArgumentException($"{option} takes positive counts separated by commas, not '{step}'."))
            .Distinct()
            .Order()
            .ToArray();
        return steps.Length > 0 ? steps : throw new ArgumentException($"{option} needs at least one count.");
    }
}
