using System.Runtime.InteropServices;

namespace KafkaWsProxy.EmbeddedKafka;

/// <summary>
/// Widens the accept queue of the embedded broker's listening sockets.
/// </summary>
/// <remarks>
/// librdkafka's mock broker listens with a backlog of 5. A bridge that opens a
/// few hundred consumers at once makes two or three connections each, the
/// kernel drops the SYNs that do not fit, and the clients' connection attempts
/// time out ("all brokers are down"), which a real broker (Kafka's
/// <c>socket.listen.backlog.size</c> is 50, with a dedicated acceptor thread)
/// would never show. On Linux, calling <c>listen()</c> again on a listening
/// socket only changes its backlog, so the mock's own sockets are found in
/// /proc/self/fd by their port and given the system's maximum. Elsewhere the
/// broker keeps librdkafka's backlog.
/// </remarks>
internal static partial class ListenBacklog
{
    private const int SolSocket = 1;       // Linux SOL_SOCKET
    private const int SoAcceptConn = 30;   // Linux SO_ACCEPTCONN
    private const int SystemMaximum = 4096; // the kernel caps it at net.core.somaxconn

    /// <summary>Returns how many listening sockets on <paramref name="ports"/> were widened.</summary>
    public static int Widen(IReadOnlySet<int> ports)
    {
        if (!OperatingSystem.IsLinux() || ports.Count == 0)
        {
            return 0;
        }

        var widened = 0;
        foreach (var fd in SocketDescriptors())
        {
            if (IsListening(fd) && LocalPort(fd) is { } port && ports.Contains(port) && Listen(fd, SystemMaximum) == 0)
            {
                widened++;
            }
        }

        return widened;
    }

    private static IEnumerable<int> SocketDescriptors()
    {
        string[] entries;
        try
        {
            entries = Directory.GetFiles("/proc/self/fd");
        }
        catch (IOException)
        {
            yield break;
        }
        catch (UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var entry in entries)
        {
            if (int.TryParse(Path.GetFileName(entry), out var fd) && IsSocket(entry))
            {
                yield return fd;
            }
        }
    }

    private static bool IsSocket(string fdPath)
    {
        try
        {
            return new FileInfo(fdPath).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true;
        }
        catch (IOException)
        {
            return false; // closed since the directory was read
        }
    }

    private static bool IsListening(int fd)
    {
        var value = 0;
        var length = (uint)sizeof(int);
        return GetSockOpt(fd, SolSocket, SoAcceptConn, ref value, ref length) == 0 && value == 1;
    }

    private static int? LocalPort(int fd)
    {
        // sockaddr_in and sockaddr_in6 both carry the port, big-endian, at bytes 2..3.
        Span<byte> address = stackalloc byte[128];
        var length = (uint)address.Length;
        if (GetSockName(fd, ref MemoryMarshal.GetReference(address), ref length) != 0 || length < 4)
        {
            return null;
        }

        return (address[2] << 8) | address[3];
    }

    [LibraryImport("libc", EntryPoint = "listen")]
    private static partial int Listen(int fd, int backlog);

    [LibraryImport("libc", EntryPoint = "getsockopt")]
    private static partial int GetSockOpt(int fd, int level, int name, ref int value, ref uint length);

    [LibraryImport("libc", EntryPoint = "getsockname")]
    private static partial int GetSockName(int fd, ref byte address, ref uint length);
}
