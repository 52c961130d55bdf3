using System.Text.Json.Serialization;

namespace KafkaWsProxy.Edge.Http;

/// <summary>Body of every HTTP refusal: {"message":"..."}.</summary>
internal sealed record ErrorBody(string Message);

/// <summary>Body of /healthcheck.</summary>
internal sealed record HealthBody(string Response);

/// <summary>One broker in /kafka/cluster/info.</summary>
internal sealed record BrokerInfo(int Id, string Host, int Port, string? Rack);

/// <summary>Source-generated serializers for the edge's HTTP bodies (no reflection).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(HealthBody))]
[JsonSerializable(typeof(BrokerInfo[]))]
internal sealed partial class EdgeJsonContext : JsonSerializerContext;
