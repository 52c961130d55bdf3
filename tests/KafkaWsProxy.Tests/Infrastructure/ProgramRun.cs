using System.Diagnostics;

namespace KafkaWsProxy.Tests.Infrastructure;

/// <summary>Runs a built .NET program to its end (with a deadline) and returns its exit code and output.</summary>
internal static class ProgramRun
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string dll, IEnumerable<string> arguments, TimeSpan timeout)
    {
        using var process = new Process { StartInfo = DotnetProcessStart.For(dll, arguments) };
        process.Start();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(dll)} did not finish within {timeout}:{Environment.NewLine}{await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
