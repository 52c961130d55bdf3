using KafkaWsProxy.Edge.Produce;
using KafkaWsProxy.Edge.Tests.Architecture.DependencyFixtures.Alpha;
using Xunit.Abstractions;

namespace KafkaWsProxy.Edge.Tests.Architecture;

/// <summary>
/// Issue 13: the edge's folders form no loop, and Sockets/ is plumbing that uses none of
/// the features built on it (docs/development.md, "The edge's folders").
/// </summary>
public sealed class EdgeFolderDependencyTests(ITestOutputHelper output)
{
    private const string EdgeRoot = "KafkaWsProxy.Edge";

    /// <summary>The features built on the socket plumbing; the plumbing must not know them.</summary>
    private static readonly string[] s_featuresAboveSockets = ["Produce", "Consume", "Http", "Auth", "WebConsole"];

    private static readonly Lazy<NamespaceDependencies> s_edge = new(() => NamespaceDependencies.Read(
        typeof(ProduceFrameParser).Assembly, EdgeRoot, Path.Combine(BuildOutputs.RepositoryRoot, "edge", "KafkaWsProxy.Edge")));

    [Fact]
    public void Sockets_DependsOnNoFeatureFolder()
    {
        var edge = s_edge.Value;

        var forbidden = s_featuresAboveSockets
            .Where(feature => edge.Evidence.ContainsKey(("Sockets", feature)))
            .Select(feature => $"Sockets -> {feature}: {edge.Evidence[("Sockets", feature)]}")
            .ToList();

        // The reader did read the edge: Sockets uses the bridge client, and both features use Sockets.
        Assert.Contains("Bridge", edge.DependenciesOf("Sockets"));
        Assert.Contains("Sockets", edge.DependenciesOf("Produce"));
        Assert.Contains("Sockets", edge.DependenciesOf("Consume"));
        Assert.True(forbidden.Count == 0, string.Join(Environment.NewLine, forbidden));
    }

    [Fact]
    public void EdgeFolders_FormNoCycle()
    {
        var edge = s_edge.Value;
        foreach (var folder in edge.Evidence.Keys.Select(k => k.From).Distinct().Order(StringComparer.Ordinal))
        {
            output.WriteLine($"{folder} -> {string.Join(", ", edge.DependenciesOf(folder))}");
        }

        var cycles = edge.Cycles();

        Assert.True(cycles.Count == 0, "Edge folders that depend on each other:" + Environment.NewLine + string.Join(Environment.NewLine, cycles));
    }

    [Fact]
    public void Reader_SeesUsesInLambdasAsyncBodiesAndLocals_AndReportsTheirCycle()
    {
        var fixtures = NamespaceDependencies.Read(typeof(AlphaUser).Assembly, typeof(AlphaUser).Namespace![..typeof(AlphaUser).Namespace!.LastIndexOf('.')]);

        Assert.Equal(["Beta"], fixtures.DependenciesOf("Alpha"));
        Assert.Equal(["Gamma"], fixtures.DependenciesOf("Beta"));
        Assert.Equal(["Alpha"], fixtures.DependenciesOf("Gamma"));
        Assert.Equal(["Alpha"], fixtures.DependenciesOf("Delta"));
        var cycle = Assert.Single(fixtures.Cycles());
        Assert.StartsWith("Alpha -> Beta -> Gamma -> Alpha", cycle, StringComparison.Ordinal);
    }
}
