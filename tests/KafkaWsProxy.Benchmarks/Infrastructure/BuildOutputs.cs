using System.Reflection;

namespace KafkaWsProxy.Benchmarks.Infrastructure;

/// <summary>Paths this project's build recorded: where the real services were built.</summary>
internal static class BuildOutputs
{
    public static string BridgeDll => Metadata("BridgeDll");

    public static string EdgeDll => Metadata("EdgeDll");

    public static string RepositoryRoot => Metadata("RepositoryRoot");

    private static string Metadata(string key) =>
        typeof(BuildOutputs).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"No build metadata '{key}'.");
}
