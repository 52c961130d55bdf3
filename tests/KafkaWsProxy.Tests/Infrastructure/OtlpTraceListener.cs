using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Google.Protobuf;

namespace KafkaWsProxy.Tests.Infrastructure;

/// <summary>A span as an OTLP exporter sent it: ids in lower-case hex, as in traceparent.</summary>
internal sealed record ExportedSpan(string Service, string Name, string TraceId, string SpanId, string ParentSpanId, IReadOnlyList<string> LinkedSpanIds);

/// <summary>
/// A tiny OTLP/HTTP receiver (protobuf, POST /v1/traces) for the services a test starts with
/// OTEL_EXPORTER_OTLP_ENDPOINT pointing at it. Reads only the fields the tests look at.
/// </summary>
internal sealed class OtlpTraceListener : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<ExportedSpan> _spans = new();
    private readonly Task _serving;

    public OtlpTraceListener()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Endpoint = new Uri($"http://127.0.0.1:{port}");
        _listener.Prefixes.Add(Endpoint.ToString());
        _listener.Start();
        _serving = ServeAsync();
    }

    public Uri Endpoint { get; }

    public IReadOnlyCollection<ExportedSpan> Spans => _spans;

    /// <summary>Environment that makes a service export its traces here, at once.</summary>
    public Dictionary<string, string?> ExporterSettings() => new()
    {
        ["OTEL_EXPORTER_OTLP_ENDPOINT"] = Endpoint.ToString(),
        ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        ["OTEL_BSP_SCHEDULE_DELAY"] = "100",
        ["OTEL_METRIC_EXPORT_INTERVAL"] = "600000",
    };

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using (var body = new MemoryStream())
            {
                await context.Request.InputStream.CopyToAsync(body);
                if (context.Request.Url?.AbsolutePath == "/v1/traces")
                {
                    foreach (var span in ReadSpans(body.ToArray()))
                    {
                        _spans.Enqueue(span);
                    }
                }
            }

            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    // ExportTraceServiceRequest: resource_spans=1 { resource=1 { attributes=1 }, scope_spans=2 { spans=2 } }.
    private static IEnumerable<ExportedSpan> ReadSpans(byte[] request)
    {
        foreach (var resourceSpans in Fields(request, 1))
        {
            var service = Fields(resourceSpans, 1).SelectMany(resource => Fields(resource, 1))
                .Select(Attribute).FirstOrDefault(a => a.Key == "service.name").Value ?? "";
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                foreach (var span in Fields(scopeSpans, 2))
                {
                    yield return new ExportedSpan(
                        service,
                        Fields(span, 5).Select(b => System.Text.Encoding.UTF8.GetString(b)).FirstOrDefault() ?? "",
                        Hex(Fields(span, 1).FirstOrDefault()),
                        Hex(Fields(span, 2).FirstOrDefault()),
                        Hex(Fields(span, 4).FirstOrDefault()),
                        Fields(span, 13).Select(link => Hex(Fields(link, 2).FirstOrDefault())).ToList());
                }
            }
        }
    }

    // KeyValue: key=1, value=2 { string_value=1 }.
    private static (string Key, string? Value) Attribute(byte[] keyValue) =>
        (Fields(keyValue, 1).Select(b => System.Text.Encoding.UTF8.GetString(b)).FirstOrDefault() ?? "",
         Fields(keyValue, 2).SelectMany(v => Fields(v, 1)).Select(b => System.Text.Encoding.UTF8.GetString(b)).FirstOrDefault());

    private static string Hex(byte[]? bytes) => bytes is null ? "" : Convert.ToHexStringLower(bytes);

    /// <summary>The length-delimited fields with that number, in order.</summary>
    private static List<byte[]> Fields(byte[] message, int number)
    {
        var found = new List<byte[]>();
        var input = new CodedInputStream(message);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == number && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                found.Add(input.ReadBytes().ToByteArray());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return found;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _serving;
    }
}
