using KafkaWsProxy.Edge.Auth;
using KafkaWsProxy.Edge.Bridge;
using KafkaWsProxy.Edge.Bridge.Balancing;
using KafkaWsProxy.Edge.Configuration;
using KafkaWsProxy.Edge.Consume;
using KafkaWsProxy.Edge.Http;
using KafkaWsProxy.Edge.Logging;
using KafkaWsProxy.Edge.Produce;
using KafkaWsProxy.Edge.Responses;
using KafkaWsProxy.Edge.Sockets;
using KafkaWsProxy.Edge.Telemetry;
using KafkaWsProxy.ServiceDefaults;
using Microsoft.Extensions.Options;

// `dotnet KafkaWsProxy.Edge.dll hash-password` reads a password on standard input
// and prints the hash to put in Auth:Basic:Users (keeps it out of shell history).
if (args is ["hash-password", ..])
{
    var password = args.Length > 1 ? args[1] : Console.ReadLine() ?? "";
    Console.WriteLine(PasswordHash.Create(password));
    return;
}

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddServiceDefaults("kafkawsproxy-edge", EdgeTelemetry.Name);
// https/wss from Kestrel's own certificate configuration (Kestrel:Certificates:Default:*).
builder.WebHost.UseKestrelHttpsConfiguration();
// Kestrel does not bind its limits from configuration by itself: Kestrel:Limits:* (for
// example MaxRequestHeadersTotalSize, MaxRequestLineSize) are applied here.
builder.WebHost.ConfigureKestrel((context, kestrel) => context.Configuration.GetSection("Kestrel:Limits").Bind(kestrel.Limits));

builder.Services.AddOptions<BridgeOptions>().BindConfiguration(BridgeOptions.SectionName)
    .Validate(o => BridgeTargets.TryParse(o.Address, out _), "Bridge:Address must be http(s) URIs (comma-separated, one scheme) or dns:///host:port.")
    .Validate<IOptions<SocketOptions>>((o, sockets) => o.MaxMessageBytes > sockets.Value.MaxFrameBytes,
        "Bridge:MaxMessageBytes must be larger than Sockets:MaxFrameBytes, or a frame's record could not reach the bridge.")
    .ValidateOnStart();
builder.Services.AddOptions<SocketOptions>().BindConfiguration(SocketOptions.SectionName)
    .Validate(o => o.MaxFrameBytes > 0 && o.MaxInFlightPerSocket > 0 && o.MaxRecordsPerBridgeMessage > 0 && o.OutputBatchBytes >= 0,
        "Socket limits must be positive.")
    .Validate(o => o.DrainTimeout >= TimeSpan.Zero && o.CloseTimeout >= TimeSpan.Zero && o.RetryAfter >= TimeSpan.Zero,
        "Sockets:DrainTimeout, Sockets:CloseTimeout and Sockets:RetryAfter must not be negative.")
    .ValidateOnStart();

// The edge's drain (Sockets:DrainTimeout for the acks owed, then Sockets:CloseTimeout for the
// close handshake) must fit in the host's shutdown, which ends the server when it runs out.
builder.Services.AddOptions<HostOptions>().Configure<IOptions<SocketOptions>>((host, sockets) =>
{
    var drain = sockets.Value.DrainTimeout + sockets.Value.CloseTimeout + TimeSpan.FromSeconds(5);
    if (host.ShutdownTimeout < drain)
    {
        host.ShutdownTimeout = drain;
    }
});

builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<EdgeMetrics>();
builder.Services.AddEdgeAuthentication(builder.Configuration);
builder.Services.AddSingleton<SocketAdmission>();
builder.Services.AddSingleton<EdgeDrain>();
builder.Services.AddHostedService(provider => provider.GetRequiredService<EdgeDrain>());
builder.Services.AddSingleton<RouteMethods>();
builder.Services.AddSingleton<RefusalNotes>();
builder.Services.AddSingleton<SocketEndpointServices>();
builder.Services.AddBridgeClient();
builder.Services.AddSingleton<ProducerSocketEndpoint>();
builder.Services.AddSingleton<ConsumerSocketEndpoint>();
builder.Services.AddSingleton<BroadcastFanOuts>();
builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer(ApiDescription.Describe));
builder.Services.AddHealthChecks().AddCheck<BridgeReadinessCheck>("bridge", tags: [HttpEndpoints.ReadinessTag]);
builder.Services.ConfigureHttpJsonOptions(json =>
{
    json.SerializerOptions.TypeInfoResolverChain.Insert(0, EdgeJson.Context);
    // Numbers are written as numbers; the OpenAPI schemas then say "integer", not "integer or string".
    json.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
});

var app = builder.Build();

app.UseExceptionHandler(handler => handler.Run(async context =>
{
    var failure = context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>();
    if (failure is not null)
    {
        EdgeLog.UnhandledRequestFailure(app.Logger, context.Request.Path, failure.Error);
    }

    await JsonResponses.WriteErrorAsync(context, StatusCodes.Status500InternalServerError, "Internal error.");
}));
app.UseRetryAfter(app.Services.GetRequiredService<IOptions<SocketOptions>>().Value.RetryAfter);
app.Use((context, next) =>
{
    context.Response.Headers.XContentTypeOptions = "nosniff";
    return next(context);
});
var outputBatchBytes = app.Services.GetRequiredService<IOptions<SocketOptions>>().Value.OutputBatchBytes;
if (outputBatchBytes > 0)
{
    // Before the WebSockets middleware, which takes the upgrade feature as the request arrives.
    app.Use((context, next) =>
    {
        CoalescingUpgradeFeature.Install(context, outputBatchBytes);
        return next(context);
    });
}

app.UseWebSockets();
if (app.Services.GetRequiredService<IOptions<AuthOptions>>().Value.Enabled)
{
    app.UseAuthentication();
    app.UseAuthorization();
}

app.MapEdgeEndpoints();

app.Run();
