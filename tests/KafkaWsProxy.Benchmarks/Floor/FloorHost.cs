using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;

namespace KafkaWsProxy.Benchmarks.Floor;

/// <summary>The minimal web host each floor server runs in: HTTP/1.1 only, configured from its environment and command line.</summary>
internal static class FloorHost
{
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        // Nothing from the working directory: the services' appsettings.json sit beside the benchmark
        // (the bridge's asks Kestrel for HTTP/2 only, which no WebSocket upgrade can use).
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddEnvironmentVariables().AddCommandLine(args);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http1));
        return builder;
    }
}
