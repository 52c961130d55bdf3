using System.Text;

using Grpc.Core;

using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Bridge;
using KafkaWsProxy.Edge.Produce;
using KafkaWsProxy.Edge.Sockets;

using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace KafkaWsProxy.Edge.Tests.Sockets;

/// <summary>
/// Spec §2, §4: the /socket/in query is validated before anything is opened,
/// and the bridge's gRPC statuses map to the HTTP statuses and close reasons of the contract.
/// </summary>
public sealed class QueryValidationTests
{
    [Fact]
    public void Parse_OnlyRequiredParameters_GivesTheDefaults()
    {
        var open = Parse(("clientId", "c"), ("topic", "demo"));

        Assert.Equal("c", open.ClientId);
        Assert.Equal("demo", open.Topic);
        Assert.Equal("", open.InstanceId);
        Assert.Equal(DataFormat.String, open.ValueFormat);
        Assert.Equal(DataFormat.Unspecified, open.KeyFormat);
        Assert.False(open.Transactional);
        Assert.Null(open.Credentials);
    }

    [Fact]
    public void Parse_EveryParameter_IsCarriedToTheOpenMessage()
    {
        var open = Parse(
            ("clientId", "client-1"), ("topic", "my.topic_1-x"), ("instanceId", "i-7"), ("socketPayload", "json"),
            ("keyType", "long"), ("valType", "json"), ("transactional", "false"));

        Assert.Equal("client-1", open.ClientId);
        Assert.Equal("my.topic_1-x", open.Topic);
        Assert.Equal("i-7", open.InstanceId);
        Assert.Equal(DataFormat.Long, open.KeyFormat);
        Assert.Equal(DataFormat.Json, open.ValueFormat);
        Assert.False(open.Transactional);
    }

    [Theory]
    [InlineData("json", DataFormat.Json)]
    [InlineData("string", DataFormat.String)]
    [InlineData("int", DataFormat.Int)]
    [InlineData("INT", DataFormat.Int)]
    [InlineData("Short", DataFormat.Short)]
    [InlineData("lOnG", DataFormat.Long)]
    [InlineData("FLOAT", DataFormat.Float)]
    [InlineData("Double", DataFormat.Double)]
    [InlineData("JSON", DataFormat.Json)]
    public void Parse_FormatNames_AreCaseInsensitiveForKeysAndValues(string name, DataFormat expected)
    {
        var open = Parse(("clientId", "c"), ("topic", "t"), ("keyType", name), ("valType", name));

        Assert.Equal(expected, open.KeyFormat);
        Assert.Equal(expected, open.ValueFormat);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("false", false)]
    [InlineData("False", false)]
    public void Parse_TransactionalBoolean_IsCaseInsensitive(string value, bool expected)
    {
        var open = Parse(("clientId", "c"), ("topic", "t"), ("transactional", value));

        Assert.Equal(expected, open.Transactional);
    }

    [Theory]
    [InlineData("JSON")]
    [InlineData("Json")]
    public void Parse_SocketPayloadJsonInAnyCase_IsAccepted(string payload)
    {
        var open = Parse(("clientId", "c"), ("topic", "t"), ("socketPayload", payload));

        Assert.Equal("t", open.Topic);
    }

    [Fact]
    public void Parse_EmptyOptionalParameters_MeanTheirDefaults()
    {
        var open = Parse(("clientId", "c"), ("topic", "t"), ("instanceId", ""), ("keyType", ""), ("valType", ""), ("transactional", ""), ("socketPayload", ""));

        Assert.Equal("", open.InstanceId);
        Assert.Equal(DataFormat.Unspecified, open.KeyFormat);
        Assert.Equal(DataFormat.String, open.ValueFormat);
        Assert.False(open.Transactional);
    }

    public static TheoryData<string[], string> Refusals() => new()
    {
        { ["topic", "t"], "Request param 'clientId' is missing." },
        { ["clientId", "", "topic", "t"], "Request param 'clientId' is missing." },
        { ["clientId", "   ", "topic", "t"], "Request param 'clientId' is missing." },
        { ["clientId", "c"], "Request param 'topic' is missing." },
        { ["clientId", "c", "topic", ""], "Request param 'topic' is missing." },
        { [], "Request param 'clientId' is missing." },
        { ["clientId", "c", "topic", "t", "socketPayload", "avro"], "'avro' is not a valid socket payload. Accepted: json." },
        {
            ["clientId", "c", "topic", "t", "keyType", "bytes"],
            "'bytes' is not a valid format type for 'keyType'. Accepted: json, string, int, short, long, float, double."
        },
        {
            ["clientId", "c", "topic", "t", "valType", "integer"],
            "'integer' is not a valid format type for 'valType'. Accepted: json, string, int, short, long, float, double."
        },
        { ["clientId", "c", "topic", "t", "transactional", "yes"], "'yes' is not a valid value for 'transactional'. Accepted: true, false." },
        { ["clientId", "c", "topic", "t", "transactional", "1"], "'1' is not a valid value for 'transactional'. Accepted: true, false." },
        {
            ["clientId", "c", "topic", "a b"],
            "'a b' is not a valid topic name: use 1 to 249 of a-z, A-Z, 0-9, '.', '_' and '-'."
        },
        {
            ["clientId", "c", "topic", "."],
            "'.' is not a valid topic name: use 1 to 249 of a-z, A-Z, 0-9, '.', '_' and '-'."
        },
        {
            ["clientId", "c", "topic", ".."],
            "'..' is not a valid topic name: use 1 to 249 of a-z, A-Z, 0-9, '.', '_' and '-'."
        },
        {
            ["clientId", "c", "topic", "tópico"],
            "'tópico' is not a valid topic name: use 1 to 249 of a-z, A-Z, 0-9, '.', '_' and '-'."
        },
        {
            ["clientId", "c", "topic", "x/../y"],
            "'x/../y' is not a valid topic name: use 1 to 249 of a-z, A-Z, 0-9, '.', '_' and '-'."
        },
        {
            ["clientId", "c", "topic", new string('t', 250)],
            $"'{new string('t', 250)}' is not a valid topic name: use 1 to 249 of a-z, A-Z, 0-9, '.', '_' and '-'."
        },
        { ["clientId", "c", "topic", new string('t', 256)], "Request param 'topic' is longer than 255 characters." },
        { ["clientId", new string('c', 256), "topic", "t"], "Request param 'clientId' is longer than 255 characters." },
        { ["clientId", "c", "topic", "t", "instanceId", new string('i', 256)], "Request param 'instanceId' is longer than 255 characters." },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void Parse_InvalidQuery_IsRefusedWith400AndMessage(string[] pairs, string message)
    {
        var parameters = new List<(string, string)>();
        for (var i = 0; i < pairs.Length; i += 2)
        {
            parameters.Add((pairs[i], pairs[i + 1]));
        }

        var refusal = Assert.Throws<RequestValidationException>(() => Parse([.. parameters]));

        Assert.Equal(StatusCodes.Status400BadRequest, refusal.StatusCode);
        Assert.Equal(message, refusal.Message);
    }

    [Theory]
    [InlineData("clientId")]
    [InlineData("topic")]
    [InlineData("instanceId")]
    [InlineData("socketPayload")]
    [InlineData("keyType")]
    [InlineData("valType")]
    [InlineData("transactional")]
    public void Parse_ParameterGivenTwice_IsRefusedNamingIt(string name)
    {
        var values = new Dictionary<string, StringValues>
        {
            ["clientId"] = "c",
            ["topic"] = "t",
        };
        values[name] = new StringValues([Sample(name), Sample(name)]);

        var refusal = Assert.Throws<RequestValidationException>(() => ProducerSocketRequest.Parse(new QueryCollection(values)));

        Assert.Equal(StatusCodes.Status400BadRequest, refusal.StatusCode);
        Assert.Equal($"Request param '{name}' is given more than once.", refusal.Message);
    }

    [Fact]
    public void Parse_ValidIdOfExactly255Characters_IsAccepted()
    {
        var open = Parse(("clientId", new string('c', 255)), ("topic", new string('t', 249)));

        Assert.Equal(255, open.ClientId.Length);
        Assert.Equal(249, open.Topic.Length);
    }

    [Theory]
    [InlineData("7", 7)]
    [InlineData("0", 0)]
    [InlineData("100", 100)]
    [InlineData("", 5)]
    public void Integer_InRangeOrAbsent_IsAccepted(string value, int expected)
    {
        var reader = new QueryReader(new QueryCollection(new Dictionary<string, StringValues> { ["rate"] = value }));

        Assert.Equal(expected, reader.Integer("rate", whenAbsent: 5, min: 0, max: 100));
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("101")]
    [InlineData("1.5")]
    [InlineData("+3")]
    [InlineData("ten")]
    [InlineData("99999999999")]
    public void Integer_OutOfRangeOrNotAWholeNumber_IsRefusedNamingTheRange(string value)
    {
        var reader = new QueryReader(new QueryCollection(new Dictionary<string, StringValues> { ["rate"] = value }));

        var refusal = Assert.Throws<RequestValidationException>(() => reader.Integer("rate", whenAbsent: 5, min: 0, max: 100));

        Assert.Equal($"'{value}' is not a valid value for 'rate'. Accepted: a whole number from 0 to 100.", refusal.Message);
    }

    [Theory]
    [InlineData(StatusCode.InvalidArgument, StatusCodes.Status400BadRequest)]
    [InlineData(StatusCode.NotFound, StatusCodes.Status400BadRequest)]
    [InlineData(StatusCode.FailedPrecondition, StatusCodes.Status400BadRequest)]
    [InlineData(StatusCode.AlreadyExists, StatusCodes.Status400BadRequest)]
    [InlineData(StatusCode.OutOfRange, StatusCodes.Status400BadRequest)]
    [InlineData(StatusCode.Unauthenticated, StatusCodes.Status401Unauthorized)]
    [InlineData(StatusCode.PermissionDenied, StatusCodes.Status403Forbidden)]
    [InlineData(StatusCode.Unavailable, StatusCodes.Status503ServiceUnavailable)]
    [InlineData(StatusCode.DeadlineExceeded, StatusCodes.Status503ServiceUnavailable)]
    [InlineData(StatusCode.ResourceExhausted, StatusCodes.Status429TooManyRequests)]
    [InlineData(StatusCode.Aborted, StatusCodes.Status409Conflict)]
    [InlineData(StatusCode.Unimplemented, StatusCodes.Status501NotImplemented)]
    [InlineData(StatusCode.Internal, StatusCodes.Status502BadGateway)]
    [InlineData(StatusCode.Unknown, StatusCodes.Status502BadGateway)]
    public void ToHttpStatus_EachGrpcStatus_MapsToTheContractsHttpStatus(StatusCode code, int expected)
    {
        Assert.Equal(expected, BridgeStatusMapping.ToHttpStatus(code));
    }

    [Fact]
    public void ToHttpMessage_BridgeRefusal_IsTheBridgesText()
    {
        var refusal = new RpcException(new Status(StatusCode.NotFound, "Topic x does not exist"));

        Assert.Equal("Topic x does not exist", BridgeStatusMapping.ToHttpMessage(refusal));
    }

    [Fact]
    public void ToHttpMessage_FailureRaisedByTheGrpcClient_RevealsNoAddress()
    {
        var local = new RpcException(new Status(
            StatusCode.Unavailable,
            "Error connecting to subchannel. (HttpRequestException: Connection refused (10.1.2.3:50051))",
            new HttpRequestException("Connection refused (10.1.2.3:50051)")));

        var message = BridgeStatusMapping.ToHttpMessage(local);

        Assert.Equal(BridgeStatusMapping.BridgeUnavailableMessage, message);
        Assert.DoesNotContain("10.1.2.3", message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToHttpMessage_RefusalWithoutDetail_NamesTheStatus()
    {
        var message = BridgeStatusMapping.ToHttpMessage(new RpcException(new Status(StatusCode.PermissionDenied, "")));

        Assert.Contains("PermissionDenied", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("short reason")]
    public void TrimReason_ShortReason_IsKeptAsIs(string reason)
    {
        Assert.Equal(reason, BridgeStatusMapping.TrimReason(reason));
    }

    [Fact]
    public void TrimReason_ReasonOfExactly123Bytes_IsKeptAsIs()
    {
        var reason = new string('a', 121) + "é";

        Assert.Equal(123, Encoding.UTF8.GetByteCount(reason));
        Assert.Equal(reason, BridgeStatusMapping.TrimReason(reason));
    }

    public static TheoryData<string> LongReasons()
    {
        var data = new TheoryData<string>
        {
            new string('a', 124),
            new string('a', 1000),
            string.Concat(Enumerable.Repeat("é", 100)),
            string.Concat(Enumerable.Repeat("€", 100)),
        };

        // Every alignment of 4-byte characters (surrogate pairs) against the cut.
        for (var prefix = 0; prefix < 8; prefix++)
        {
            data.Add(new string('a', prefix) + string.Concat(Enumerable.Repeat("😀", 60)));
            data.Add(new string('a', prefix) + string.Concat(Enumerable.Repeat("é😀", 40)));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LongReasons))]
    public void TrimReason_LongReason_FitsIn123BytesWithoutSplittingACharacter(string reason)
    {
        var trimmed = BridgeStatusMapping.TrimReason(reason);

        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        var bytes = strict.GetBytes(trimmed); // throws on a lone surrogate
        Assert.InRange(bytes.Length, 1, 123);
        Assert.EndsWith("...", trimmed, StringComparison.Ordinal);
        Assert.StartsWith(trimmed[..^3], reason, StringComparison.Ordinal);
        Assert.False(char.IsHighSurrogate(trimmed[^4]), "The cut split a surrogate pair.");
        // Nothing is cut that would still have fitted: at most one character less than the room allows.
        Assert.True(bytes.Length > 123 - 3 - 4, $"Trimmed to {bytes.Length} bytes only.");
    }

    private static ProduceOpen Parse(params (string Name, string Value)[] parameters)
    {
        var values = new Dictionary<string, StringValues>();
        foreach (var (name, value) in parameters)
        {
            values[name] = value;
        }

        return ProducerSocketRequest.Parse(new QueryCollection(values));
    }

    private static string Sample(string name) => name switch
    {
        "socketPayload" => "json",
        "keyType" or "valType" => "int",
        "transactional" => "false",
        _ => "x",
    };
}
