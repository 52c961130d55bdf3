using System.Reflection;

namespace KafkaWsProxy.TestSupport;

/// <summary>
/// Paths this library's build recorded: where the real services were built, in the
/// configuration of the test or benchmark project that references this library.
/// </summary>
public static class BuildOutputs
{
    public static string BridgeDll => Metadata("BridgeDll");

    public static string EdgeDll => Metadata("EdgeDll");

    public static string RepositoryRoot => Metadata("RepositoryRoot");

    private static string Metadata(string key) =>
        typeof(BuildOutputs).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"No build metadata '{key}'.");
}
