using System.Text;
using System.Text.Json;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.Observability;

/// <summary>Issue 12: one setting turns both services' console logs into JSON lines that carry the socket's scope.</summary>
[Collection(ProxyTests.Name)]
public sealed class JsonLogTests(ProxyFixture proxy)
{
    [Fact]
    public async Task JsonFormatter_OneSetting_BothServicesLogJsonLinesWithClientTopicAndTrace_AndNoCredential()
    {
        const string password = "json-log-secret-pw";
        var json = new Dictionary<string, string?> { ["Logging__Console__FormatterName"] = "json" };
        var edgeSettings = new Dictionary<string, string?>(json)
        {
            ["Auth__Basic__Enabled"] = "true",
            ["Auth__Basic__Users__logger"] = password,
        };
        await using var instance = await proxy.StartProxyAsync(json, edgeSettings);
        var topic = proxy.CreateTopic(partitions: 1);
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"logger:{password}"));

        await using (var socket = await TestSocket.ConnectAsync(instance.SocketUri("/socket/in", $"clientId=json-logger&topic={topic}"),
            options => options.SetRequestHeader("Authorization", $"Basic {basic}")))
        {
            await socket.SendTextAsync("{\"value\":{\"value\":\"logged\"}}");
            await socket.ReceiveJsonAsync();
            await socket.CloseAsync();
        }

        await instance.Edge.WaitForLogAsync(line => line.Contains("Closed /socket/in for client json-logger", StringComparison.Ordinal), "the socket's close logged");
        await instance.Bridge.WaitForLogAsync(line => line.Contains("Produce stream opened for client json-logger", StringComparison.Ordinal), "the stream's open logged");

        foreach (var service in new[] { instance.Edge, instance.Bridge })
        {
            var lines = service.LogLines.Where(l => l.Length > 0).ToList();
            Assert.NotEmpty(lines);
            Assert.All(lines, line =>
            {
                using var parsed = JsonDocument.Parse(line);
                Assert.True(parsed.RootElement.TryGetProperty("Timestamp", out _), line);
            });
            Assert.DoesNotContain(lines, l => l.Contains(password, StringComparison.Ordinal) || l.Contains(basic, StringComparison.Ordinal));
        }

        // The edge's line for the socket carries its clientId, topic and the socket span's trace id.
        var opened = Scopes(instance.Edge.LogLines.Single(l => l.Contains("Opened /socket/in for client json-logger", StringComparison.Ordinal)));
        Assert.Contains(opened, s => Has(s, "ClientId", "json-logger") && Has(s, "Topic", topic));
        Assert.Contains(opened, s => s.TryGetProperty("TraceId", out var id) && id.GetString() is { Length: 32 });

        var streamOpened = Scopes(instance.Bridge.LogLines.Single(l => l.Contains("Produce stream opened for client json-logger", StringComparison.Ordinal)));
        Assert.Contains(streamOpened, s => Has(s, "ClientId", "json-logger") && Has(s, "Topic", topic));
        Assert.Contains(streamOpened, s => s.TryGetProperty("TraceId", out var id) && id.GetString() is { Length: 32 });
    }

    private static List<JsonElement> Scopes(string line)
    {
        using var parsed = JsonDocument.Parse(line);
        return parsed.RootElement.TryGetProperty("Scopes", out var scopes)
            ? scopes.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object).Select(s => s.Clone()).ToList()
            : [];
    }

    private static bool Has(JsonElement scope, string name, string value) =>
        scope.TryGetProperty(name, out var property) && property.GetString() == value;
}
