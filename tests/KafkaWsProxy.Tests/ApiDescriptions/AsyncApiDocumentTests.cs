using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Consume;
using KafkaWsProxy.Edge.Produce;
using KafkaWsProxy.Edge.Sockets;
using KafkaWsProxy.Tests.Infrastructure;

namespace KafkaWsProxy.Tests.ApiDescriptions;

/// <summary>
/// docs/asyncapi.json (served at /asyncapi.json) against the edge's parsers and
/// the real edge: every query parameter and frame field the parsers read is
/// described, every example fits its schema and is accepted by the real edge,
/// and the frames the real edge sends fit theirs.
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class AsyncApiDocumentTests(ProxyFixture proxy)
{
    private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private static readonly Lazy<JsonDocument> s_document = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(BuildOutputs.RepositoryRoot, "docs", "asyncapi.json"))));

    private static JsonElement Document => s_document.Value.RootElement;

    /// <summary>Read by authentication (access_token) and by the console's refusal notes (refusalId), not by the socket parsers.</summary>
    private static readonly string[] s_parametersBesideTheParsers = ["access_token", "refusalId"];

    [Fact]
    public async Task Served_AtAsyncApiJson_IsTheDocumentInDocs_AsyncApi3()
    {
        using var response = await s_http.GetAsync(new Uri(proxy.EdgeHttp, "/asyncapi.json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(File.ReadAllBytes(Path.Combine(BuildOutputs.RepositoryRoot, "docs", "asyncapi.json")), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("3.0.0", Document.GetProperty("asyncapi").GetString());
    }

    [Theory]
    [InlineData("produce")]
    [InlineData("consume")]
    public void QueryBinding_DescribesExactlyTheParametersTheParserReads(string channel)
    {
        var query = new RecordingQuery(new Dictionary<string, string> { ["clientId"] = "c", ["topic"] = "t" });
        Parse(channel, query);

        var described = QueryBinding(channel).GetProperty("properties").EnumerateObject().Select(p => p.Name).Order();
        Assert.Equal(query.AskedFor.Concat(s_parametersBesideTheParsers).Order(), described);
        Assert.Equal(["clientId", "topic"], QueryBinding(channel).GetProperty("required").EnumerateArray().Select(e => e.GetString()));
    }

    [Theory]
    [InlineData("produce")]
    [InlineData("consume")]
    public void QueryBinding_EnumsAndRangesAreWhatTheParserAccepts(string channel)
    {
        foreach (var parameter in QueryBinding(channel).GetProperty("properties").EnumerateObject())
        {
            var schema = parameter.Value;
            var accepted = new List<string>();
            var refused = new List<string> { };
            if (schema.TryGetProperty("enum", out var values))
            {
                accepted.AddRange(values.EnumerateArray().Select(v => v.GetString()!));
                refused.Add("not-one-of-them");
            }
            else if (schema.GetProperty("type").GetString() == "boolean")
            {
                accepted.AddRange(["true", "false"]);
                refused.Add("yes");
            }
            else if (schema.GetProperty("type").GetString() == "integer")
            {
                accepted.AddRange([schema.GetProperty("minimum").ToString(), schema.GetProperty("maximum").ToString()]);
                refused.AddRange(["-1", (schema.GetProperty("maximum").GetInt64() + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            }

            foreach (var value in accepted)
            {
                Parse(channel, Query(parameter.Name, value));
            }

            foreach (var value in refused)
            {
                Assert.Throws<RequestValidationException>(() => Parse(channel, Query(parameter.Name, value)));
            }
        }
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
    public void ProduceRecordExamples_ParseCleanly_AndTogetherUseEveryFieldTheParserReads()
    {
        var records = new List<ProduceRecord>();
        foreach (var example in Message("produceRecord").GetProperty("examples").EnumerateArray())
        {
            var socket = ProducerSocketRequest.Parse(QueryOf(SocketQuery(example, "clientId=c&topic=t")));
            var parser = new ProduceFrameParser(socket.KeyFormat, socket.ValueFormat);
            records.Add(parser.Parse(Encoding.UTF8.GetBytes(example.GetProperty("payload").GetRawText()), out var error)
                ?? throw new InvalidOperationException(error!.Message));
        }

        // Every part of the contract's record that a frame can set is set by some example.
        Assert.Contains(records, r => r.Headers.Count > 0 && r.Headers[0].Value.Length > 0);
        Assert.Contains(records, r => r.Key is not null && r.KeyFormat != DataFormat.Unspecified);
        Assert.Contains(records, r => r.Value is not null && r.Value.KindCase == TypedValue.KindOneofCase.JsonValue);
        Assert.Contains(records, r => r.Value is not null && r.Value.KindCase == TypedValue.KindOneofCase.StringValue);
        Assert.All(records, r => Assert.NotEmpty(r.MessageId));
    }

    [Fact]
    public void ErrorCodes_AreExactlyTheEdgesFrameErrorCodes()
    {
        var codes = typeof(FrameErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).Order();
        var described = Schema("ErrorDetail").GetProperty("properties").GetProperty("code").GetProperty("enum")
            .EnumerateArray().Select(e => e.GetString()!).Order();

        Assert.Equal(codes, described);
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

    private static void Parse(string channel, Microsoft.AspNetCore.Http.IQueryCollection query)
    {
        if (channel == "produce")
        {
            ProducerSocketRequest.Parse(query);
        }
        else
        {
            ConsumerSocketRequest.Parse(query);
        }
    }

    /// <summary>The query an example needs beside clientId and topic (its x-socket-query), appended to the base.</summary>
    private static string SocketQuery(JsonElement example, string baseQuery) =>
        example.TryGetProperty("x-socket-query", out var extra) ? $"{baseQuery}&{extra.GetString()}" : baseQuery;

    private static Microsoft.AspNetCore.Http.QueryCollection QueryOf(string query) =>
        new(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query));

    private static RecordingQuery Query(string name, string value) =>
        new(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["clientId"] = "c", ["topic"] = "t", [name] = value });

    private static JsonElement QueryBinding(string channel) =>
        Document.GetProperty("channels").GetProperty(channel).GetProperty("bindings").GetProperty("ws").GetProperty("query");

    private static JsonElement Message(string name) => Document.GetProperty("components").GetProperty("messages").GetProperty(name);

    private static JsonElement Schema(string name) => Document.GetProperty("components").GetProperty("schemas").GetProperty(name);

}
