using System.Text.Json.Serialization;

namespace KafkaWsProxy.Edge.Responses;

/// <summary>Body of every HTTP refusal: {"message":"..."}.</summary>
internal sealed record ErrorBody(string Message);

/// <summary>Body of both health endpoints, /healthcheck and /health/ready, whatever their status.</summary>
internal sealed record HealthBody(string Response);

/// <summary>A refused handshake, as kept for the console: GET /console/refusals/{id}.</summary>
internal sealed record RefusalBody(int Status, string Message);

/// <summary>One broker in /kafka/cluster/info.</summary>
internal sealed record BrokerInfo(int Id, string Host, int Port, string? Rack);

/// <summary>
/// The serializers the edge answers with: source-generated, and with relaxed
/// escaping so messages read as written ('x' rather than \u0027x\u0027). Bodies
/// are always served as application/json with nosniff, so HTML characters
/// need no escaping.
/// </summary>
internal static class EdgeJson
{
    public static EdgeJsonContext Context { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}

/// <summary>Source-generated serializers for the edge's HTTP bodies (no reflection).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(HealthBody))]
[JsonSerializable(typeof(BrokerInfo[]))]
[JsonSerializable(typeof(RefusalBody))]
internal sealed partial class EdgeJsonContext : JsonSerializerContext;
