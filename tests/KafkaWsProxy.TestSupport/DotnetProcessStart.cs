using System.Diagnostics;

namespace KafkaWsProxy.TestSupport;

/// <summary>How tests and benchmarks start a built .NET program: `dotnet app.dll args`, output captured.</summary>
public static class DotnetProcessStart
{
    public static ProcessStartInfo For(string dll, params IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        return start;
    }
}
