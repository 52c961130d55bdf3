using KafkaWsProxy.Edge.Sockets;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;

namespace KafkaWsProxy.Edge.Auth;

/// <summary>
/// Wires HTTP Basic and JWT bearer (ASP.NET Core's handlers) behind one policy
/// scheme: a request carrying a bearer token (header or access_token query
/// parameter, since browsers cannot set headers on WebSockets) is judged by JWT,
/// anything else by Basic. JWT wins when both are on.
/// </summary>
internal static class EdgeAuthentication
{
    public const string Scheme = "EdgeAuth";
    public const string Policy = "EdgeUser";
    public const string AccessTokenParameter = "access_token";

    public static IServiceCollection AddEdgeAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName);
        services.AddSingleton<ISocketCredentials, SocketCredentials>();
        var auth = configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
        if (!auth.Enabled)
        {
            return services;
        }

        var builder = services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "Basic or bearer", options => options.ForwardDefaultSelector = context => SelectScheme(context, auth));
        if (auth.Basic.Enabled)
        {
            builder.AddScheme<AuthenticationSchemeOptions, BasicAuthenticationHandler>(BasicAuthenticationHandler.SchemeName, null);
        }

        if (auth.Jwt.Enabled)
        {
            builder.AddJwtBearer(JwtBearerDefaults.AuthenticationScheme, options => ConfigureJwt(options, auth.Jwt));
        }

        services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        return services;
    }

    private static string SelectScheme(HttpContext context, AuthOptions auth)
    {
        if (auth.Jwt.Enabled && (HasBearerHeader(context) || context.Request.Query.ContainsKey(AccessTokenParameter) || !auth.Basic.Enabled))
        {
            return JwtBearerDefaults.AuthenticationScheme;
        }

        return BasicAuthenticationHandler.SchemeName;
    }

    private static bool HasBearerHeader(HttpContext context) =>
        context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    private static void ConfigureJwt(JwtBearerOptions options, JwtAuthOptions jwt)
    {
        options.MapInboundClaims = false;
        options.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
        if (!string.IsNullOrEmpty(jwt.Authority))
        {
            options.Authority = jwt.Authority;
        }

        if (!string.IsNullOrEmpty(jwt.MetadataAddress))
        {
            options.MetadataAddress = jwt.MetadataAddress;
        }

        // Adjust the handler's own parameters (replacing them would lose the issuer
        // it takes from the discovery document).
        var validation = options.TokenValidationParameters;
        validation.ValidateIssuer = true;
        if (!string.IsNullOrEmpty(jwt.Issuer))
        {
            validation.ValidIssuer = jwt.Issuer;
        }
        else if (!string.IsNullOrEmpty(jwt.Authority))
        {
            // Most providers' issuer is their authority, written with or without the final slash.
            var authority = jwt.Authority.TrimEnd('/');
            validation.ValidIssuers = [authority, authority + "/"];
        }

        validation.ValidateAudience = !string.IsNullOrEmpty(jwt.Audience);
        validation.ValidAudience = jwt.Audience;
        validation.ValidateLifetime = true;
        validation.RequireExpirationTime = true;
        validation.ValidateIssuerSigningKey = true;
        validation.ClockSkew = jwt.ClockSkew;
        if (!string.IsNullOrEmpty(jwt.SigningKeysJwks))
        {
            options.TokenValidationParameters.IssuerSigningKeys = new JsonWebKeySet(jwt.SigningKeysJwks).GetSigningKeys();
        }

        options.Events = new JwtBearerEvents
        {
            OnMessageReceived = context =>
            {
                if (string.IsNullOrEmpty(context.Token) && !HasBearerHeader(context.HttpContext)
                    && context.Request.Query.TryGetValue(AccessTokenParameter, out var token))
                {
                    context.Token = token.ToString();
                }

                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                context.HandleResponse();
                if (context.AuthenticateFailure is not null && await IsIdentityProviderUnreachableAsync(context).ConfigureAwait(false))
                {
                    await AuthResponses.WriteIdentityProviderUnavailableAsync(context.HttpContext).ConfigureAwait(false);
                    return;
                }

                await AuthResponses.WriteUnauthorizedAsync(context.HttpContext,
                    context.AuthenticateFailure is null ? "Bearer" : "Bearer error=\"invalid_token\"").ConfigureAwait(false);
            },
        };
    }

    /// <summary>
    /// A token was refused: was it because the provider's discovery document and
    /// keys cannot be fetched (then the answer is 503, not 401)?
    /// </summary>
    private static async Task<bool> IsIdentityProviderUnreachableAsync(JwtBearerChallengeContext context)
    {
        if (context.Options.ConfigurationManager is not { } configuration)
        {
            return false;
        }

        try
        {
            await configuration.GetConfigurationAsync(context.HttpContext.RequestAborted).ConfigureAwait(false);
            return false;
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or HttpRequestException or TaskCanceledException)
        {
            var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EdgeAuthentication));
            Logging.EdgeLog.IdentityProviderUnreachable(logger, e.GetBaseException().Message);
            return true;
        }
    }
}
