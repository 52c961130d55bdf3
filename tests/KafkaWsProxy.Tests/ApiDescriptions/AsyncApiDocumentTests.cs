using System.Net;
using System.Text.Json;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.ApiDescriptions;

/// <summary>
/// docs/asyncapi.json (served at /asyncapi.json) against the real edge: every example
/// fits its schema and is accepted by the real edge, and the frames the real edge sends
/// fit theirs. Against the edge's parsers: KafkaWsProxy.Edge.Tests ApiDescriptions/AsyncApiDocumentTests.
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class AsyncApiDocumentTests(ProxyFixture proxy)
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private static readonly Lazy<JsonDocument> s_document = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(BuildOutputs.RepositoryRoot, "docs", "asyncapi.json"))));

    private static JsonElement Document => s_document.Value.RootElement;

    [Fact]
    public async Task Served_AtAsyncApiJson_IsTheDocumentInDocs_AsyncApi3()
    {
        using var response = await s_http.GetAsync(new Uri(proxy.EdgeHttp, "/asyncapi.json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(File.ReadAllBytes(Path.Combine(BuildOutputs.RepositoryRoot, "docs", "asyncapi.json")), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("3.0.0", Document.GetProperty("asyncapi").GetString());
    }

    [Fact]
    public void EveryMessageExample_FitsItsPayloadSchema()
    {
        var checkedExamples = 0;
        foreach (var message in Document.GetProperty("components").GetProperty("messages").EnumerateObject())
        {
            var examples = message.Value.GetProperty("examples").EnumerateArray().ToList();
            Assert.NotEmpty(examples);
            foreach (var example in examples)
            {
                var problems = JsonSchemaCheck.Problems(example.GetProperty("payload"), message.Value.GetProperty("payload"), Document, message.Name);
                Assert.True(problems.Count == 0, string.Join("; ", problems));
                checkedExamples++;
            }
        }

        Assert.True(checkedExamples >= 7, $"Only {checkedExamples} examples.");
    }

    [Fact]
    public async Task RealEdge_AcceptsTheExamples_AndItsFramesFitTheirSchemas()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        var examples = Message("produceRecord").GetProperty("examples").EnumerateArray().ToList();
        foreach (var example in examples)
        {
            // Each example on a socket opened as the example says (x-socket-query).
            await using var producer = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/in", SocketQuery(example, $"clientId=api-{topic}&topic={topic}")));
            await producer.SendTextAsync(example.GetProperty("payload").GetRawText());
            AssertFits(await producer.ReceiveJsonAsync(), "produceAck");
            await producer.SendTextAsync("{\"value\":{\"value\":\"x\",\"format\":\"nope\"},\"messageId\":\"bad\"}");
            AssertFits(await producer.ReceiveJsonAsync(), "produceError");
        }

        var query = $"clientId=api-{topic}&topic={topic}&autoCommit=false";
        await using (var consumer = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", query)))
        {
            var received = new List<JsonElement>();
            for (var i = 0; i < examples.Count; i++)
            {
                var record = await consumer.ReceiveJsonAsync();
                AssertFits(record, "consumedRecord");
                received.Add(record);
            }

            // The commit example's shape with a real id: a commit that succeeds is not answered,
            // so the next frame is the answer to the bad commit after it.
            var commit = JsonSerializer.Serialize(new Dictionary<string, string> { ["wsProxyMessageId"] = received[^1].GetProperty("wsProxyMessageId").GetString()! });
            Assert.Empty(JsonSchemaCheck.Problems(JsonDocument.Parse(commit).RootElement, Message("commit").GetProperty("payload"), Document));
            await consumer.SendTextAsync(commit);
            await consumer.SendTextAsync("{\"wsProxyMessageId\":\"not-an-id\"}");
            var error = await consumer.ReceiveJsonAsync();
            AssertFits(error, "consumeError");
            Assert.Equal("not-an-id", error.GetProperty("wsProxyMessageId").GetString());
        }

        await using var batches = await TestSocket.ConnectAsync(proxy.SocketUri("/socket/out", $"clientId=api-b-{topic}&topic={topic}&batchSize=10"));
        var batch = await batches.ReceiveJsonAsync();
        AssertFits(batch, "consumedBatch");
    }

    private static void AssertFits(JsonElement frame, string message)
    {
        var problems = JsonSchemaCheck.Problems(frame, Message(message).GetProperty("payload"), Document, message);
        Assert.True(problems.Count == 0, $"{frame.GetRawText()} does not fit {message}: {string.Join("; ", problems)}");
    }

    /// <summary>The query an example needs beside clientId and topic (its x-socket-query), appended to the base.</summary>
    private static string SocketQuery(JsonElement example, string baseQuery) =>
        example.TryGetProperty("x-socket-query", out var extra) ? $"{baseQuery}&{extra.GetString()}" : baseQuery;

    private static JsonElement Message(string name) => Document.GetProperty("components").GetProperty("messages").GetProperty(name);
}
