using System.Net;
using System.Text.Json;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.ApiDescriptions;

/// <summary>
/// GET /openapi/v1.json, from ASP.NET Core's OpenAPI support: it describes the
/// edge's HTTP endpoints, and what those endpoints really answer fits it.
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class OpenApiDocumentTests(ProxyFixture proxy)
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Served_DescribesTheHttpEndpointsAndTheirMethods()
    {
        var document = await GetDocumentAsync(proxy.EdgeHttp);

        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = document.GetProperty("paths");
        Assert.Equal(["get", "head"], Methods(paths, "/healthcheck"));
        Assert.Equal(["get", "head"], Methods(paths, "/health/ready"));
        Assert.Equal(["get"], Methods(paths, "/kafka/cluster/info"));
        Assert.Equal(["get"], Methods(paths, "/console/refusals/{id}"));
        Assert.Contains("/asyncapi.json", document.GetProperty("info").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/healthcheck")]
    [InlineData("/health/ready")]
    [InlineData("/kafka/cluster/info")]
    [InlineData("/console/refusals/0123456789abcdef0123")]
    public async Task RealAnswers_FitTheSchemaDescribedForTheirStatus(string path)
    {
        var document = await GetDocumentAsync(proxy.EdgeHttp);
        var template = path.StartsWith("/console/refusals/", StringComparison.Ordinal) ? "/console/refusals/{id}" : path;

        using var response = await s_http.GetAsync(new Uri(proxy.EdgeHttp, path));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        var described = document.GetProperty("paths").GetProperty(template).GetProperty("get").GetProperty("responses");
        Assert.True(described.TryGetProperty(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture), out var answer),
            $"{path} answered {(int)response.StatusCode}, which is not described.");
        var schema = answer.GetProperty("content").GetProperty("application/json").GetProperty("schema");
        var problems = JsonSchemaCheck.Problems(body.RootElement, schema, document, path);
        Assert.True(problems.Count == 0, string.Join("; ", problems));
    }

    [Fact]
    public async Task AuthOn_DocumentIsPublic_AndProtectedEndpointsDescribe401()
    {
        await using var edge = await ServiceProcess.StartEdgeAsync(proxy.Bridge.Address, new Dictionary<string, string?>
        {
            ["Auth__Basic__Enabled"] = "true",
            ["Auth__Basic__Users__dave"] = "dave-Pa55",
        });

        var document = await GetDocumentAsync(edge.Address);

        var responses = document.GetProperty("paths").GetProperty("/kafka/cluster/info").GetProperty("get").GetProperty("responses");
        Assert.True(responses.TryGetProperty("401", out _));
    }

    private static async Task<JsonElement> GetDocumentAsync(Uri edge)
    {
        using var response = await s_http.GetAsync(new Uri(edge, "/openapi/v1.json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    private static List<string> Methods(JsonElement paths, string path) =>
        paths.GetProperty(path).EnumerateObject().Select(p => p.Name).Where(n => n is not "parameters" and not "summary").Order().ToList();
}
