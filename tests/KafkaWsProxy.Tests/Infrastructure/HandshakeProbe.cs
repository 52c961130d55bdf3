using System.Net;
using System.Text.Json;

namespace KafkaWsProxy.Tests.Infrastructure;

/// <summary>
/// Sends a WebSocket upgrade request as plain HTTP, to read a refusal's status
/// and JSON body (ClientWebSocket does not expose the body).
/// </summary>
internal static class HandshakeProbe
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<(HttpStatusCode Status, JsonElement Body, string ContentType)> UpgradeAsync(Uri httpBase, string pathAndQuery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(httpBase, pathAndQuery));
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new System.Net.Http.Headers.ProductHeaderValue("websocket"));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
        using var response = await s_http.SendAsync(request);
        Assert.NotEqual(HttpStatusCode.SwitchingProtocols, response.StatusCode);
        return await ReadAsync(response);
    }

    /// <summary>A refused upgrade with its Retry-After header (null when absent).</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body, string? RetryAfter)> UpgradeWithRetryAfterAsync(Uri httpBase, string pathAndQuery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(httpBase, pathAndQuery));
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new System.Net.Http.Headers.ProductHeaderValue("websocket"));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(Guid.NewGuid().ToByteArray()));
        using var response = await s_http.SendAsync(request);
        Assert.NotEqual(HttpStatusCode.SwitchingProtocols, response.StatusCode);
        var (status, body, contentType) = await ReadAsync(response);
        Assert.Equal("application/json", contentType);
        var retryAfter = response.Headers.TryGetValues("Retry-After", out var values) ? string.Join(",", values) : null;
        return (status, body, retryAfter);
    }

    public static async Task<(HttpStatusCode Status, JsonElement Body, string ContentType)> GetAsync(Uri httpBase, string pathAndQuery)
    {
        using var response = await s_http.GetAsync(new Uri(httpBase, pathAndQuery));
        return await ReadAsync(response);
    }

    private static async Task<(HttpStatusCode, JsonElement, string)> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return (response.StatusCode, document.RootElement.Clone(), response.Content.Headers.ContentType?.MediaType ?? "");
    }
}
