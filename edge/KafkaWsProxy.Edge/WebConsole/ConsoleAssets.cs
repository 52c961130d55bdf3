using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace KafkaWsProxy.Edge.WebConsole;

/// <summary>One file of the console, held in memory with its validator.</summary>
internal sealed record ConsoleAsset(byte[] Content, string ContentType, EntityTagHeaderValue ETag);

/// <summary>
/// The console's static files (wwwroot/), compiled into the edge as resources:
/// they are served from memory whatever the working directory or packaging.
/// </summary>
internal static class ConsoleAssets
{
    private static readonly FrozenDictionary<string, string> s_contentTypes = new Dictionary<string, string>
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".json"] = "application/json; charset=utf-8",
    }.ToFrozenDictionary();

    /// <summary>The resource named <paramref name="logicalName"/> (see the project file), or an exception naming it.</summary>
    public static ConsoleAsset Load(string logicalName)
    {
        using var stream = typeof(ConsoleAssets).Assembly.GetManifestResourceStream(logicalName)
            ?? throw new InvalidOperationException($"The edge was built without its resource '{logicalName}'.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var content = buffer.ToArray();
        var hash = Convert.ToHexString(SHA256.HashData(content), 0, 8);
        return new ConsoleAsset(content, s_contentTypes[Path.GetExtension(logicalName)], new EntityTagHeaderValue($"\"{hash}\""));
    }
}
