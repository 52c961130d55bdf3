using System.Reflection;
using System.Runtime.InteropServices;

namespace KafkaWsProxy.EmbeddedKafka;

/// <summary>
/// Resolves "librdkafka" for this assembly's P/Invokes to the binary that
/// librdkafka.redist ships. The default Linux build needs libsasl2.so.3; where
/// that is missing the CentOS 8 build (same version, no SASL/GSSAPI dependency)
/// is loaded instead.
/// </summary>
internal static class NativeLibraryLoader
{
    internal const string LibraryName = "librdkafka";

    private static int s_registered;

    public static void EnsureRegistered()
    {
        if (Interlocked.Exchange(ref s_registered, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);
        }
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != LibraryName)
        {
            return IntPtr.Zero;
        }

        foreach (var candidate in Candidates())
        {
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }

        throw new DllNotFoundException(
            "librdkafka could not be loaded from " + string.Join(", ", Candidates()));
    }

    private static IEnumerable<string> Candidates()
    {
        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native");
        var linuxX64 = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
        if (OperatingSystem.IsLinux())
        {
            yield return Path.Combine(linuxX64, "librdkafka.so");
            yield return Path.Combine(linuxX64, "centos8-librdkafka.so");
            yield return Path.Combine(native, "librdkafka.so");
        }
        else if (OperatingSystem.IsMacOS())
        {
            yield return Path.Combine(AppContext.BaseDirectory, "runtimes", "osx-arm64", "native", "librdkafka.dylib");
            yield return Path.Combine(AppContext.BaseDirectory, "runtimes", "osx-x64", "native", "librdkafka.dylib");
        }
        else if (OperatingSystem.IsWindows())
        {
            yield return Path.Combine(AppContext.BaseDirectory, "runtimes", "win-x64", "native", "librdkafka.dll");
        }
    }
}
