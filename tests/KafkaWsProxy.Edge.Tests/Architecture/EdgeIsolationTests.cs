using System.Text.Json;
using System.Xml.Linq;

using KafkaWsProxy.Edge.Produce;

namespace KafkaWsProxy.Edge.Tests.Architecture;

/// <summary>Issue 2: the edge never talks to Kafka; only the bridge references Confluent.Kafka.</summary>
public sealed class EdgeIsolationTests
{
    private static string EdgeProjectDirectory => Path.Combine(BuildOutputs.RepositoryRoot, "edge", "KafkaWsProxy.Edge");

    [Fact]
    public void EdgeProjectFile_ReferencesNoConfluentPackage()
    {
        var project = LoadEdgeProject();

        // Every element and attribute counts; comments (which may explain this very rule) do not.
        var content = project.Descendants()
            .SelectMany(e => e.Attributes().Select(a => a.Value).Append(string.Concat(e.Nodes().OfType<XText>().Select(t => t.Value))))
            .ToList();
        var references = project.Descendants()
            .Where(e => e.Name.LocalName is "PackageReference" or "ProjectReference" or "Reference" or "FrameworkReference")
            .Select(e => (string?)e.Attribute("Include") ?? "")
            .ToList();

        Assert.Contains("Grpc.Net.Client", references);
        Assert.DoesNotContain(content, c => c.Contains("Confluent", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(content, c => c.Contains("rdkafka", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void EdgeProjectFile_ReferencesNoBridgeOrEmbeddedKafkaProject()
    {
        var projectReferences = LoadEdgeProject().Descendants()
            .Where(e => e.Name.LocalName == "ProjectReference")
            .Select(e => (string?)e.Attribute("Include") ?? "")
            .ToList();

        Assert.DoesNotContain(projectReferences, p => p.Contains("broker-bridge", StringComparison.OrdinalIgnoreCase)
            || p.Contains("EmbeddedKafka", StringComparison.OrdinalIgnoreCase)
            || p.Contains("Bridge.csproj", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void EdgeDepsFile_MentionsNeitherConfluentKafkaNorLibrdkafka()
    {
        var depsFile = Path.ChangeExtension(BuildOutputs.EdgeDll, ".deps.json");
        Assert.True(File.Exists(depsFile), $"The edge's deps file is missing at {depsFile}.");

        var text = File.ReadAllText(depsFile);

        // Parsed first so that an empty or broken file cannot pass by accident.
        using var deps = JsonDocument.Parse(text);
        Assert.True(deps.RootElement.TryGetProperty("libraries", out var libraries), depsFile);
        Assert.Contains(libraries.EnumerateObject(), l => l.Name.StartsWith("Grpc.Net.Client/", StringComparison.Ordinal));
        Assert.DoesNotContain("Confluent.Kafka", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("librdkafka", text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void EdgeBuildOutput_HoldsNoKafkaClientBinaries()
    {
        var output = Path.GetDirectoryName(BuildOutputs.EdgeDll)!;

        var kafkaFiles = Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories)
            .Select(Path.GetFileName)
            .Where(name => name!.Contains("Confluent", StringComparison.OrdinalIgnoreCase)
                || name.Contains("rdkafka", StringComparison.OrdinalIgnoreCase))
            .ToList();

        Assert.Empty(kafkaFiles);
    }

    [Fact]
    public void EdgeAssembly_ReferencesNoConfluentAssembly()
    {
        var edge = typeof(ProduceFrameParser).Assembly;

        var references = edge.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();

        Assert.Equal("KafkaWsProxy.Edge", edge.GetName().Name);
        Assert.Contains("Grpc.Net.Client", references);
        Assert.DoesNotContain(references, name => name.StartsWith("Confluent", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(references, name => name.StartsWith("KafkaWsProxy.Bridge", StringComparison.Ordinal)
            || name.StartsWith("KafkaWsProxy.EmbeddedKafka", StringComparison.Ordinal));
    }

    private static XElement LoadEdgeProject()
    {
        var csproj = Path.Combine(EdgeProjectDirectory, "KafkaWsProxy.Edge.csproj");
        Assert.True(File.Exists(csproj), $"The edge project is missing at {csproj}.");
        return XDocument.Load(csproj).Root!;
    }
}
