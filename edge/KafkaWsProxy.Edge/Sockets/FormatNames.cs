using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Edge.Sockets;

/// <summary>The format type names of the WebSocket protocol (docs/protocol.md §3), case-insensitive.</summary>
internal static class FormatNames
{
    public static bool TryParse(string? name, out DataFormat format)
    {
        format = name?.ToLowerInvariant() switch
        {
            "string" => DataFormat.String,
            "json" => DataFormat.Json,
            "int" => DataFormat.Int,
            "short" => DataFormat.Short,
            "long" => DataFormat.Long,
            "float" => DataFormat.Float,
            "double" => DataFormat.Double,
            _ => DataFormat.Unspecified,
        };
        return format != DataFormat.Unspecified;
    }

    public static string NameOf(DataFormat format) => format switch
    {
        DataFormat.String => "string",
        DataFormat.Json => "json",
        DataFormat.Int => "int",
        DataFormat.Short => "short",
        DataFormat.Long => "long",
        DataFormat.Float => "float",
        DataFormat.Double => "double",
        DataFormat.Bytes => "bytes",
        _ => "unspecified",
    };
}
