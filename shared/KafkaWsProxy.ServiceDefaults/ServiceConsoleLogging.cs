using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace KafkaWsProxy.ServiceDefaults;

/// <summary>
/// Console logs in the format Logging:Console:FormatterName names (simple, json or systemd).
/// </summary>
/// <remarks>
/// WebApplication.CreateSlimBuilder registers only the simple formatter and names it in code,
/// after the configuration is read, so on the edge "json" had no effect: every formatter is
/// registered here, and the configured name is applied last.
/// JSON lines carry the log scopes (the socket's clientId and topic, the trace and span
/// ids) unless Logging:Console:FormatterOptions:IncludeScopes says otherwise, and a UTC
/// timestamp unless Logging:Console:FormatterOptions:TimestampFormat is set.
/// </remarks>
public static class ServiceConsoleLogging
{
    private const string FormatterOptions = "Logging:Console:FormatterOptions";

    public static ILoggingBuilder AddServiceConsole(this ILoggingBuilder logging, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(logging);
        logging.AddConsole();
        logging.Services.Configure<ConsoleLoggerOptions>(console =>
        {
            if (configuration["Logging:Console:FormatterName"] is { Length: > 0 } formatter)
            {
                console.FormatterName = formatter;
            }
        });
        logging.Configure(options => options.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        logging.Services.Configure<JsonConsoleFormatterOptions>(json =>
        {
            json.IncludeScopes = configuration.GetValue($"{FormatterOptions}:IncludeScopes", true);
            if (string.IsNullOrEmpty(configuration[$"{FormatterOptions}:TimestampFormat"]))
            {
                json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                json.UseUtcTimestamp = true;
            }
        });
        return logging;
    }
}
