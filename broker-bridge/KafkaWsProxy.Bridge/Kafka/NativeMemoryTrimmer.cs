using System.Runtime.InteropServices;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Bridge.Logging;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Bridge.Kafka;

/// <summary>
/// Gives the native memory that closed Kafka clients freed back to the system,
/// every <see cref="KafkaOptions.NativeMemoryTrimInterval"/>.
/// </summary>
/// <remarks>
/// Every consumer socket has its own librdkafka client, whose threads allocate
/// from glibc's per-thread arenas. When the client is destroyed that memory is
/// free but glibc keeps it mapped: measured, a bridge that had served 500 consumer
/// sockets stayed at 490 MB RSS after they had all closed, and one
/// <c>malloc_trim(0)</c> brought it to 199 MB. The GC heap was not the cause, so
/// the GC's own settings cannot bound it. Only glibc has <c>malloc_trim</c>;
/// elsewhere (musl, Windows, macOS) the trimmer stops at its first attempt.
/// </remarks>
internal sealed partial class NativeMemoryTrimmer(IOptions<KafkaOptions> options, TimeProvider time, ILogger<NativeMemoryTrimmer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.NativeMemoryTrimInterval;
        if (interval <= TimeSpan.Zero || !OperatingSystem.IsLinux())
        {
            return;
        }

        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                if (!TryTrim(out var returnedBytes))
                {
                    BridgeLog.NativeMemoryTrimUnavailable(logger);
                    return;
                }

                if (returnedBytes >= 1 << 20)
                {
                    BridgeLog.NativeMemoryTrimmed(logger, returnedBytes >> 20);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    /// <summary>Trims once; false when this C library has no malloc_trim.</summary>
    /// <param name="returnedBytes">How much the resident set shrank (0 when it did not).</param>
    public static bool TryTrim(out long returnedBytes)
    {
        returnedBytes = 0;
        var before = Environment.WorkingSet;
        try
        {
            _ = MallocTrim(0); // 1 when it returned memory; the resident set says how much
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
        catch (DllNotFoundException)
        {
            return false;
        }

        returnedBytes = Math.Max(0, before - Environment.WorkingSet);
        return true;
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
