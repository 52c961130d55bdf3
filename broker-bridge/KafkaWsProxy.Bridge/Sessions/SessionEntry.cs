using System.Text.Json.Serialization;

namespace KafkaWsProxy.Bridge.Sessions;

/// <summary>Which limit a session counts against.</summary>
internal enum SessionKind
{
    /// <summary>A producer socket; scope = clientId, member = instanceId.</summary>
    Producer,

    /// <summary>A consumer socket; scope = groupId, member = clientId.</summary>
    Consumer,
}

/// <summary>
/// One open socket, as written to the registry topic (key: <see cref="Key"/>;
/// a null value removes it). The record's timestamp is the owner's last heartbeat.
/// </summary>
internal sealed record SessionEntry(SessionKind Kind, string Scope, string Member, string BridgeId, string SessionId)
{
    /// <summary>False on the claim itself; true once its bridge granted it (then on every heartbeat).</summary>
    public bool Granted { get; init; }

    /// <summary>Unique per socket, so that compaction keeps one record per open socket.</summary>
    [JsonIgnore]
    public string Key => $"{Kind}/{Scope}/{Member}/{SessionId}";

    /// <summary>The scope the limits count in; all its records share a partition, so they are totally ordered.</summary>
    [JsonIgnore]
    public string ScopeKey => $"{Kind}/{Scope}";
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(SessionEntry))]
internal sealed partial class SessionJsonContext : JsonSerializerContext;
