using System.Text;

namespace KafkaWsProxy.Benchmarks.Infrastructure;

/// <summary>The records every scenario writes: key "k{i}", a fixed string value of the configured size.</summary>
internal static class Records
{
    public static string Value(int bytes) => new('v', bytes);

    public static string Key(int i) => "k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A /socket/in frame for record <paramref name="i"/>.</summary>
    public static byte[] ProduceFrame(int i, string value, string messagePrefix) => Encoding.UTF8.GetBytes(
        $$"""{"key":{"value":"{{Key(i)}}"},"value":{"value":"{{value}}"},"messageId":"{{messagePrefix}}{{i}}"}""");

    /// <summary>Payload bytes of record i (key + value), for MB/s.</summary>
    public static long PayloadBytes(int i, int valueBytes) => Key(i).Length + valueBytes;
}
