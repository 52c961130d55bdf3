using System.Reflection;
using System.Text;
using System.Text.Json;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Consume;
using KafkaWsProxy.Edge.Produce;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Tests.ApiDescriptions;

/// <summary>
/// docs/asyncapi.json against the edge's parsers: every query parameter and frame field the
/// parsers read is described, and the examples parse. Against the real edge: KafkaWsProxy.Tests
/// ApiDescriptions/AsyncApiDocumentTests.
/// </summary>
public sealed class AsyncApiDocumentTests
{
    private static readonly Lazy<JsonDocument> s_document = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(BuildOutputs.RepositoryRoot, "docs", "asyncapi.json"))));

    private static JsonElement Document => s_document.Value.RootElement;

    /// <summary>Read by authentication (access_token) and by the console's refusal notes (refusalId), not by the socket parsers.</summary>
    private static readonly string[] s_parametersBesideTheParsers = ["access_token", "refusalId"];

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
