using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace KafkaWsProxy.Tests.Infrastructure;

/// <summary>
/// An OpenID Connect provider for tests: Kestrel on loopback serving a discovery
/// document and a JWKS of a key generated here, and signing tokens with it.
/// </summary>
internal sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string Audience = "kafka-ws-proxy";

    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "test-key" };
    private readonly WebApplication _app;

    private TestIdentityProvider(WebApplication app) => _app = app;

    public Uri Authority { get; private set; } = null!;

    public string Issuer => Authority.ToString().TrimEnd('/');

    /// <summary>The provider's public key as a JWKS document.</summary>
    public string Jwks
    {
        get
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(_key);
            return $"{{\"keys\":[{{\"kty\":\"RSA\",\"use\":\"sig\",\"kid\":\"{jwk.Kid}\",\"alg\":\"RS256\",\"n\":\"{jwk.N}\",\"e\":\"{jwk.E}\"}}]}}";
        }
    }

    public static async Task<TestIdentityProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        // The test folder holds the services' appsettings.json (the bridge's says HTTP/2 only).
        builder.Configuration["Kestrel:EndpointDefaults:Protocols"] = "Http1AndHttp2";
        var app = builder.Build();
        var provider = new TestIdentityProvider(app);
        app.MapGet("/.well-known/openid-configuration", () => Results.Text(
            $"{{\"issuer\":\"{provider.Issuer}\",\"jwks_uri\":\"{provider.Issuer}/jwks\",\"id_token_signing_alg_values_supported\":[\"RS256\"]}}",
            "application/json"));
        app.MapGet("/jwks", () => Results.Text(provider.Jwks, "application/json"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        provider.Authority = new Uri(address + "/");
        return provider;
    }

    /// <summary>A token signed by this provider; override any part to make a bad one.</summary>
    public string Token(
        DateTime? expires = null,
        string? issuer = null,
        string audience = Audience,
        SecurityKey? signingKey = null,
        IDictionary<string, object>? claims = null)
    {
        var now = DateTime.UtcNow;
        var expiry = expires ?? now.AddMinutes(10);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim("sub", "test-user")]),
            NotBefore = expiry < now ? expiry.AddMinutes(-10) : now.AddMinutes(-1),
            IssuedAt = expiry < now ? expiry.AddMinutes(-10) : now.AddMinutes(-1),
            Expires = expiry,
            Claims = claims,
            SigningCredentials = new SigningCredentials(signingKey ?? _key, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public static RsaSecurityKey OtherKey() => new(RSA.Create(2048)) { KeyId = "test-key" };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
