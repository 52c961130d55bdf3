using System.Runtime.InteropServices;
using KafkaWsProxy.Bridge.Kafka;

namespace KafkaWsProxy.Bridge.Tests.Kafka;

/// <summary>
/// What a closed Kafka client leaves behind, in miniature: native memory freed on
/// another thread, between blocks still in use, so glibc keeps it mapped until it
/// is trimmed. Linux (glibc) only.
/// </summary>
public sealed class NativeMemoryTrimmerTests
{
    private const int BlockBytes = 64 * 1024; // under glibc's mmap threshold: served from an arena
    private const int Blocks = 2_400;         // 150 MiB

    [Fact]
    public unsafe void TryTrim_AfterFreesBetweenLiveBlocks_GivesTheMemoryBackToTheSystem()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var kept = new List<nint>();
        var thread = new Thread(() =>
        {
            var blocks = new nint[Blocks];
            for (var i = 0; i < Blocks; i++)
            {
                blocks[i] = (nint)NativeMemory.Alloc(BlockBytes);
                new Span<byte>((void*)blocks[i], BlockBytes).Fill(1); // resident
            }

            for (var i = 0; i < Blocks; i++)
            {
                if (i % 10 == 0)
                {
                    kept.Add(blocks[i]); // pins the arena: only trimming returns what lies between
                }
                else
                {
                    NativeMemory.Free((void*)blocks[i]);
                }
            }
        });
        thread.Start();
        thread.Join();
        try
        {
            Assert.True(NativeMemoryTrimmer.TryTrim(out var returned), "glibc has malloc_trim");
            // 135 MiB were freed; other tests run alongside, so ask for well over half of it.
            Assert.True(returned >= 80L << 20, $"the trim returned {returned >> 20} MiB");
        }
        finally
        {
            foreach (var block in kept)
            {
                NativeMemory.Free((void*)block);
            }
        }
    }
}
