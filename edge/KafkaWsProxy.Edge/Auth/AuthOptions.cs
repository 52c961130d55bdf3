namespace KafkaWsProxy.Edge.Auth;

/// <summary>Who may use the edge. Section "Auth".</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    public BasicAuthOptions Basic { get; set; } = new();

    public JwtAuthOptions Jwt { get; set; } = new();

    /// <summary>/healthcheck and /health/ready need credentials too when any authentication is on.</summary>
    public bool ProtectHealthEndpoints { get; set; } = true;

    /// <summary>The Prometheus scrape endpoint (Telemetry:MetricsPath) needs credentials too when any authentication is on.</summary>
    public bool ProtectMetricsEndpoint { get; set; } = true;

    public bool Enabled => Basic.Enabled || Jwt.Enabled;
}

/// <summary>HTTP Basic. Section "Auth:Basic".</summary>
public sealed class BasicAuthOptions
{
    public bool Enabled { get; set; }

    /// <summary>Realm named in WWW-Authenticate.</summary>
    public string Realm { get; set; } = "kafka-ws-proxy";

    /// <summary>
    /// Users: name → password, either plain or a hash made with
    /// `dotnet KafkaWsProxy.Edge.dll hash-password` (pbkdf2-sha256$...).
    /// </summary>
    public Dictionary<string, string> Users { get; } = new(StringComparer.Ordinal);
}

/// <summary>JWT bearer / OpenID Connect. Section "Auth:Jwt".</summary>
public sealed class JwtAuthOptions
{
    public bool Enabled { get; set; }

    /// <summary>OIDC authority; keys come from its discovery document.</summary>
    public string Authority { get; set; } = "";

    /// <summary>Discovery document address when it is not {Authority}/.well-known/openid-configuration.</summary>
    public string MetadataAddress { get; set; } = "";

    /// <summary>Configured signing keys as a JWKS JSON document, instead of discovery.</summary>
    public string SigningKeysJwks { get; set; } = "";

    /// <summary>Expected issuer; empty: the discovery document's.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>Expected audience.</summary>
    public string Audience { get; set; } = "";

    /// <summary>Refuse plain-http discovery (turn off only for tests and local identity providers).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Tolerated clock difference for exp/nbf.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Claim carrying the Kafka SASL username of the socket (empty: none). Wins over X-Kafka-Auth.</summary>
    public string KafkaUsernameClaim { get; set; } = "";

    /// <summary>Claim carrying the Kafka SASL password of the socket.</summary>
    public string KafkaPasswordClaim { get; set; } = "";
}
