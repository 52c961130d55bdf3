using System.Text;

using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Produce;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Tests.Produce;

/// <summary>Spec §3, §4: one inbound /socket/in frame becomes one record or one error, never an exception.</summary>
public sealed class ProduceFrameParserTests
{
    [Fact]
    public void Parse_FullFrame_GivesRecordWithHeadersKeyValueAndMessageId()
    {
        var record = ParseOk(
            """
            {"headers":[{"key":"my_header","value":"héader_välue"},{"key":"empty","value":null},{"key":"my_header","value":"again"}],
             "key":{"value":"foo","format":"string"},
             "value":{"value":"bar","format":"string"},
             "messageId":"client_generated_id"}
            """,
            DataFormat.String,
            DataFormat.String);

        Assert.Equal("client_generated_id", record.MessageId);
        Assert.Equal(TypedValue.KindOneofCase.StringValue, record.Key.KindCase);
        Assert.Equal("foo", record.Key.StringValue);
        Assert.Equal(DataFormat.String, record.KeyFormat);
        Assert.Equal(TypedValue.KindOneofCase.StringValue, record.Value.KindCase);
        Assert.Equal("bar", record.Value.StringValue);
        Assert.Collection(
            record.Headers,
            h =>
            {
                Assert.Equal("my_header", h.Key);
                Assert.Equal(Encoding.UTF8.GetBytes("héader_välue"), h.Value.ToByteArray());
            },
            h =>
            {
                Assert.Equal("empty", h.Key);
                Assert.True(h.Value.IsEmpty);
            },
            h =>
            {
                Assert.Equal("my_header", h.Key);
                Assert.Equal("again"u8.ToArray(), h.Value.ToByteArray());
            });
    }

    [Fact]
    public void Parse_HeaderWithoutValueMember_GivesEmptyHeaderValue()
    {
        var record = ParseOk("""{"headers":[{"key":"h"}],"value":{"value":"v"}}""");

        var header = Assert.Single(record.Headers);
        Assert.Equal("h", header.Key);
        Assert.True(header.Value.IsEmpty);
    }

    [Fact]
    public void Parse_KeylessFrameWithoutMessageId_GivesRecordWithoutKeyOrMessageId()
    {
        var record = ParseOk("""{"value":{"value":"bar"}}""");

        Assert.Null(record.Key);
        Assert.Equal(DataFormat.Unspecified, record.KeyFormat);
        Assert.Equal("bar", record.Value.StringValue);
        Assert.Empty(record.Headers);
        Assert.Equal("", record.MessageId);
    }

    [Fact]
    public void Parse_NullKeyHeadersAndMessageId_AreTreatedAsAbsent()
    {
        var record = ParseOk("""{"key":null,"headers":null,"messageId":null,"value":{"value":"v"}}""");

        Assert.Null(record.Key);
        Assert.Empty(record.Headers);
        Assert.Equal("", record.MessageId);
    }

    [Fact]
    public void Parse_UnknownMembersAtEveryLevel_AreIgnored()
    {
        var record = ParseOk(
            """
            {"future":{"deep":[1,{"x":null}]},"partition":3,
             "headers":[{"key":"h","value":"v","extra":[true]}],
             "value":{"extra":{"a":1},"value":"bar","format":"string","schema":"x"},
             "messageId":"m","trailingUnknown":"z"}
            """);

        Assert.Equal("bar", record.Value.StringValue);
        Assert.Equal("m", record.MessageId);
        Assert.Equal("h", Assert.Single(record.Headers).Key);
    }

    [Fact]
    public void Parse_NullValue_GivesTombstoneWithoutValue()
    {
        var record = ParseOk("""{"key":{"value":"k"},"value":null,"messageId":"gone"}""");

        Assert.Null(record.Value);
        Assert.Equal("k", record.Key.StringValue);
        Assert.Equal("gone", record.MessageId);
    }

    [Fact]
    public void Parse_FormatBeforeValue_IsReadInTheGivenFormat()
    {
        var record = ParseOk("""{"value":{"format":"int","value":42}}""", valueFormat: DataFormat.Int);

        Assert.Equal(42, record.Value.IntValue);
    }

    [Fact]
    public void Parse_MissingValue_IsInvalidFrame()
    {
        var error = ParseError("""{"key":{"value":"k"},"messageId":"m"}""");

        Assert.Equal(FrameErrorCodes.InvalidFrame, error.Code);
        Assert.Contains("value", error.Message, StringComparison.Ordinal);
        Assert.Equal("m", error.MessageId);
    }

    [Fact]
    public void Parse_ValueObjectWithoutInnerValue_IsInvalidFrame()
    {
        var error = ParseError("""{"value":{"format":"string"}}""");

        Assert.Equal(FrameErrorCodes.InvalidFrame, error.Code);
    }

    [Fact]
    public void Parse_ValueNotAnObject_IsInvalidFrame()
    {
        var error = ParseError("""{"value":"bare","messageId":"m"}""");

        Assert.Equal(FrameErrorCodes.InvalidFrame, error.Code);
        Assert.Equal("m", error.MessageId);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[{\"value\":{\"value\":\"v\"}}]")]
    [InlineData("\"a string\"")]
    [InlineData("42")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not json")]
    [InlineData("{\"value\":{\"value\":\"v\"}} trailing")]
    [InlineData("{\"value\":{\"value\":\"v\"}}{}")]
    [InlineData("{\"value\":{\"value\":\"v\"}},")]
    [InlineData("{\"value\":{\"value\":\"v\"}")]
    [InlineData("{\"value\":{\"value\":\"v")]
    [InlineData("{\"value\":")]
    [InlineData("{")]
    [InlineData("{\"value\":{\"value\":'single quotes'}}")]
    [InlineData("{\"value\":{\"value\":\"v\",}}")]
    [InlineData("{\"value\":{\"value\":\"v\"}} // comment")]
    [InlineData("{value:{\"value\":\"v\"}}")]
    public void Parse_NotOneJsonObject_IsInvalidFrameAndNeverThrows(string frame)
    {
        var error = ParseError(frame);

        Assert.Equal(FrameErrorCodes.InvalidFrame, error.Code);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Theory]
    [InlineData(DataFormat.Json)]
    [InlineData(DataFormat.String)]
    public void Parse_NestingBeyond64_IsInvalidFrameAndNeverThrows(DataFormat valueFormat)
    {
        var deep = new string('[', 100) + new string(']', 100);

        var error = ParseError($$$"""{"messageId":"deep","value":{"value":{{{deep}}}}}""", valueFormat: valueFormat);

        Assert.Equal(FrameErrorCodes.InvalidFrame, error.Code);
        Assert.Equal("deep", error.MessageId);
    }

    [Fact]
    public void Parse_NestingBeyond64InUnknownMember_IsInvalidFrame()
    {
        var deep = new string('[', 65) + new string(']', 65);

        var error = ParseError($$$"""{"x":{{{deep}}},"value":{"value":"v"}}""");

        Assert.Equal(FrameErrorCodes.InvalidFrame, error.Code);
    }

    [Fact]
    public void Parse_NestingWithinLimit_IsAcceptedAsJson()
    {
        // The frame object and the value object take two levels: 62 arrays fit in 64.
        var deep = new string('[', 62) + new string(']', 62);

        var record = ParseOk($$$"""{"value":{"value":{{{deep}}}}}""", valueFormat: DataFormat.Json);

        Assert.Equal(deep, record.Value.JsonValue);
    }

    [Theory]
    [InlineData("""{"headers":{"key":"h","value":"v"},"value":{"value":"v"}}""")]
    [InlineData("""{"headers":"h","value":{"value":"v"}}""")]
    [InlineData("""{"headers":["h"],"value":{"value":"v"}}""")]
    [InlineData("""{"headers":[{"value":"v"}],"value":{"value":"v"}}""")]
    [InlineData("""{"headers":[{"key":"","value":"v"}],"value":{"value":"v"}}""")]
    [InlineData("""{"headers":[{"key":null,"value":"v"}],"value":{"value":"v"}}""")]
    [InlineData("""{"headers":[{"key":1,"value":"v"}],"value":{"value":"v"}}""")]
    [InlineData("""{"headers":[{"key":"h","value":1}],"value":{"value":"v"}}""")]
    [InlineData("""{"headers":[{"key":"h","value":{"nested":"v"}}],"value":{"value":"v"}}""")]
    public void Parse_MalformedHeaders_IsInvalidFrame(string frame)
    {
        var error = ParseError(frame);

        Assert.Equal(FrameErrorCodes.InvalidFrame, error.Code);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("true")]
    [InlineData("{\"id\":\"m\"}")]
    [InlineData("[\"m\"]")]
    public void Parse_MessageIdNotAString_IsInvalidFrame(string messageId)
    {
        var error = ParseError($$$"""{"value":{"value":"v"},"messageId":{{{messageId}}}}""");

        Assert.Equal(FrameErrorCodes.InvalidFrame, error.Code);
        Assert.Contains("messageId", error.Message, StringComparison.Ordinal);
        Assert.Equal("", error.MessageId);
    }

    [Fact]
    public void Parse_JsonFormat_IsWrittenCompactly()
    {
        var record = ParseOk("""{"value":{"value":{ "a" : [ 1 , 2 ] }}}""", valueFormat: DataFormat.Json);

        Assert.Equal(TypedValue.KindOneofCase.JsonValue, record.Value.KindCase);
        Assert.Equal("""{"a":[1,2]}""", record.Value.JsonValue);
    }

    [Theory]
    [InlineData("\"text\"", "\"text\"")]
    [InlineData("null", "null")]
    [InlineData("true", "true")]
    [InlineData("2.50", "2.50")]
    [InlineData("[ ]", "[]")]
    [InlineData("{ \"é\" : \"\\u00e9\\n\" }", "{\"é\":\"é\\n\"}")]
    public void Parse_JsonFormat_KeepsAnyJsonValueCompact(string json, string expected)
    {
        var record = ParseOk($$$"""{"value":{"value":{{{json}}}}}""", valueFormat: DataFormat.Json);

        Assert.Equal(expected, record.Value.JsonValue);
    }

    [Fact]
    public void Parse_NullInnerValueInJsonFormat_IsTheJsonNullNotATombstone()
    {
        var record = ParseOk("""{"value":{"value":null}}""", valueFormat: DataFormat.Json);

        Assert.NotNull(record.Value);
        Assert.Equal("null", record.Value.JsonValue);
    }

    [Theory]
    [InlineData(DataFormat.Short, "-32768")]
    [InlineData(DataFormat.Short, "32767")]
    [InlineData(DataFormat.Short, "0")]
    [InlineData(DataFormat.Int, "-2147483648")]
    [InlineData(DataFormat.Int, "2147483647")]
    [InlineData(DataFormat.Long, "-9223372036854775808")]
    [InlineData(DataFormat.Long, "9223372036854775807")]
    [InlineData(DataFormat.Float, "3.4028235E+38")]
    [InlineData(DataFormat.Float, "-3.4028235E+38")]
    [InlineData(DataFormat.Float, "1.5")]
    [InlineData(DataFormat.Float, "1e-50")]
    [InlineData(DataFormat.Double, "1.7976931348623157E+308")]
    [InlineData(DataFormat.Double, "-1.7976931348623157E+308")]
    [InlineData(DataFormat.Double, "5e-324")]
    [InlineData(DataFormat.Double, "3")]
    public void Parse_NumberWithinItsFormat_IsAccepted(DataFormat format, string number)
    {
        var record = ParseOk($$$"""{"value":{"value":{{{number}}}}}""", valueFormat: format);

        var expected = double.Parse(number, System.Globalization.CultureInfo.InvariantCulture);
        switch (format)
        {
            case DataFormat.Short:
                Assert.Equal(TypedValue.KindOneofCase.ShortValue, record.Value.KindCase);
                Assert.Equal((int)expected, record.Value.ShortValue);
                break;
            case DataFormat.Int:
                Assert.Equal(TypedValue.KindOneofCase.IntValue, record.Value.KindCase);
                Assert.Equal((int)expected, record.Value.IntValue);
                break;
            case DataFormat.Long:
                Assert.Equal(TypedValue.KindOneofCase.LongValue, record.Value.KindCase);
                Assert.Equal(long.Parse(number, System.Globalization.CultureInfo.InvariantCulture), record.Value.LongValue);
                break;
            case DataFormat.Float:
                Assert.Equal(TypedValue.KindOneofCase.FloatValue, record.Value.KindCase);
                Assert.Equal((float)expected, record.Value.FloatValue);
                break;
            default:
                Assert.Equal(TypedValue.KindOneofCase.DoubleValue, record.Value.KindCase);
                Assert.Equal(expected, record.Value.DoubleValue);
                break;
        }
    }

    [Theory]
    [InlineData(DataFormat.Short, "32768")]
    [InlineData(DataFormat.Short, "-32769")]
    [InlineData(DataFormat.Short, "1.5")]
    [InlineData(DataFormat.Int, "2147483648")]
    [InlineData(DataFormat.Int, "-2147483649")]
    [InlineData(DataFormat.Int, "1.5")]
    [InlineData(DataFormat.Int, "1.0")]
    [InlineData(DataFormat.Long, "9223372036854775808")]
    [InlineData(DataFormat.Long, "-9223372036854775809")]
    [InlineData(DataFormat.Long, "1e30")]
    [InlineData(DataFormat.Float, "1e39")]
    [InlineData(DataFormat.Float, "-1e39")]
    [InlineData(DataFormat.Float, "3.5e38")]
    [InlineData(DataFormat.Double, "1e309")]
    [InlineData(DataFormat.Double, "-1e309")]
    [InlineData(DataFormat.Double, "\"NaN\"")]
    [InlineData(DataFormat.Double, "\"Infinity\"")]
    [InlineData(DataFormat.Float, "\"1.5\"")]
    [InlineData(DataFormat.Int, "\"7\"")]
    [InlineData(DataFormat.Int, "true")]
    [InlineData(DataFormat.Int, "null")]
    [InlineData(DataFormat.Long, "[1]")]
    [InlineData(DataFormat.String, "42")]
    [InlineData(DataFormat.String, "{\"a\":1}")]
    [InlineData(DataFormat.String, "null")]
    public void Parse_ValueThatDoesNotFitItsFormat_IsInvalidValue(DataFormat format, string value)
    {
        var error = ParseError($$$"""{"value":{"value":{{{value}}}},"messageId":"m"}""", valueFormat: format);

        Assert.Equal(FrameErrorCodes.InvalidValue, error.Code);
        Assert.Equal("m", error.MessageId);
    }

    [Theory]
    [InlineData(DataFormat.Short, "32768")]
    [InlineData(DataFormat.Int, "1.5")]
    [InlineData(DataFormat.Float, "1e39")]
    [InlineData(DataFormat.String, "1")]
    public void Parse_KeyThatDoesNotFitItsFormat_IsInvalidKey(DataFormat format, string key)
    {
        var error = ParseError($$$"""{"key":{"value":{{{key}}}},"value":{"value":"v"},"messageId":"m"}""", keyFormat: format);

        Assert.Equal(FrameErrorCodes.InvalidKey, error.Code);
        Assert.Equal("m", error.MessageId);
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("0x10")]
    [InlineData("+1")]
    [InlineData("01")]
    [InlineData(".5")]
    public void Parse_NumberLiteralsJsonDoesNotAllow_AreInvalidFrame(string literal)
    {
        var error = ParseError($$$"""{"value":{"value":{{{literal}}}}}""", valueFormat: DataFormat.Double);

        Assert.Equal(FrameErrorCodes.InvalidFrame, error.Code);
    }

    [Theory]
    [InlineData(DataFormat.Int, "long")]
    [InlineData(DataFormat.String, "json")]
    [InlineData(DataFormat.Json, "string")]
    [InlineData(DataFormat.Double, "float")]
    public void Parse_FrameValueFormatDisagreeingWithSocket_IsInvalidValue(DataFormat socketFormat, string frameFormat)
    {
        var error = ParseError($$$"""{"value":{"value":5,"format":"{{{frameFormat}}}"},"messageId":"m"}""", valueFormat: socketFormat);

        Assert.Equal(FrameErrorCodes.InvalidValue, error.Code);
        Assert.Contains(frameFormat, error.Message, StringComparison.Ordinal);
        Assert.Equal("m", error.MessageId);
    }

    [Fact]
    public void Parse_FrameKeyFormatDisagreeingWithSocket_IsInvalidKey()
    {
        var error = ParseError("""{"key":{"value":5,"format":"long"},"value":{"value":"v"}}""", keyFormat: DataFormat.Int);

        Assert.Equal(FrameErrorCodes.InvalidKey, error.Code);
    }

    [Theory]
    [InlineData("avro")]
    [InlineData("bytes")]
    [InlineData("")]
    public void Parse_UnknownFrameFormat_IsInvalidValue(string frameFormat)
    {
        var error = ParseError($$$"""{"value":{"value":"v","format":"{{{frameFormat}}}"}}""");

        Assert.Equal(FrameErrorCodes.InvalidValue, error.Code);
    }

    [Fact]
    public void Parse_FrameFormatAgreeingWithSocketInOtherCase_IsAccepted()
    {
        var record = ParseOk("""{"value":{"value":5,"format":"INT"}}""", valueFormat: DataFormat.Int);

        Assert.Equal(5, record.Value.IntValue);
    }

    [Theory]
    [InlineData("int", "7", DataFormat.Int)]
    [InlineData("short", "7", DataFormat.Short)]
    [InlineData("long", "7", DataFormat.Long)]
    [InlineData("float", "7.5", DataFormat.Float)]
    [InlineData("double", "7.5", DataFormat.Double)]
    [InlineData("json", "{\"a\":1}", DataFormat.Json)]
    [InlineData("string", "\"seven\"", DataFormat.String)]
    [InlineData("Long", "7", DataFormat.Long)]
    public void Parse_KeyFormatFromFrame_WhenSocketKeyTypeUnspecified(string frameFormat, string key, DataFormat expected)
    {
        var record = ParseOk($$$"""{"key":{"value":{{{key}}},"format":"{{{frameFormat}}}"},"value":{"value":"v"}}""");

        Assert.Equal(expected, record.KeyFormat);
        Assert.NotNull(record.Key);
    }

    [Fact]
    public void Parse_KeyWithoutFormatWhenSocketKeyTypeUnspecified_IsAString()
    {
        var record = ParseOk("""{"key":{"value":"k"},"value":{"value":"v"}}""");

        Assert.Equal(DataFormat.String, record.KeyFormat);
        Assert.Equal("k", record.Key.StringValue);
    }

    [Fact]
    public void Parse_KeyFormatFromFrameStillChecksTheValue()
    {
        var error = ParseError("""{"key":{"value":70000,"format":"short"},"value":{"value":"v"},"messageId":"m"}""");

        Assert.Equal(FrameErrorCodes.InvalidKey, error.Code);
        Assert.Equal("m", error.MessageId);
    }

    [Fact]
    public void Parse_SocketKeyType_IsRecordedAsRecordKeyFormat()
    {
        var record = ParseOk("""{"key":{"value":3},"value":{"value":"v"}}""", keyFormat: DataFormat.Long);

        Assert.Equal(DataFormat.Long, record.KeyFormat);
        Assert.Equal(3L, record.Key.LongValue);
    }

    [Fact]
    public void Parse_UnspecifiedSocketValueFormat_MeansString()
    {
        var record = ParseOk("""{"value":{"value":"v"}}""", valueFormat: DataFormat.Unspecified);

        Assert.Equal("v", record.Value.StringValue);
        Assert.Equal(FrameErrorCodes.InvalidValue, ParseError("""{"value":{"value":1}}""", valueFormat: DataFormat.Unspecified).Code);
    }

    [Theory]
    [InlineData("""{"value":{"value":"abc"},"messageId":"early-error"}""", FrameErrorCodes.InvalidValue)]
    [InlineData("""{"key":{"value":1.5},"value":{"value":1},"messageId":"early-error"}""", FrameErrorCodes.InvalidKey)]
    [InlineData("""{"headers":"bad","value":{"value":1},"messageId":"early-error"}""", FrameErrorCodes.InvalidFrame)]
    [InlineData("""{"headers":[{"value":"no key"}],"messageId":"early-error"}""", FrameErrorCodes.InvalidFrame)]
    [InlineData("""{"value":{"value":1,"format":"long"},"x":{"y":[1,2]},"messageId":"early-error"}""", FrameErrorCodes.InvalidValue)]
    public void Parse_ErrorBeforeMessageId_ErrorStillCarriesTheMessageId(string frame, string code)
    {
        var error = ParseError(frame, keyFormat: DataFormat.Int, valueFormat: DataFormat.Int);

        Assert.Equal(code, error.Code);
        Assert.Equal("early-error", error.MessageId);
    }

    [Fact]
    public void Parse_ErrorAfterMessageId_ErrorCarriesTheMessageId()
    {
        var error = ParseError("""{"messageId":"first","value":{"value":"abc"}} garbage""", valueFormat: DataFormat.Int);

        Assert.Equal("first", error.MessageId);
    }

    [Fact]
    public void Parse_InvalidUtf8InAString_IsInvalidFrameAndNeverThrows()
    {
        // A text WebSocket frame is valid UTF-8 by the protocol, but the parser must not rely on it.
        byte[] frame = [.. """{"messageId":"m","value":{"value":"""u8, (byte)'"', 0xC3, 0x28, (byte)'"', .. "}}"u8];

        var record = new ProduceFrameParser(DataFormat.Unspecified, DataFormat.String).Parse(frame, out var error);

        Assert.Null(record);
        Assert.NotNull(error);
        Assert.Equal(FrameErrorCodes.InvalidFrame, error.Code);
    }

    // Issue 10: Utf8JsonReader.GetString throws InvalidOperationException ("Cannot read incomplete
    // UTF-16 JSON text") for an escaped surrogate without its pair; it used to escape the parser and end the socket.
    [Theory]
    [InlineData("""{"value":{"value":"\ud800"},"messageId":"m"}""", DataFormat.String, "m")]
    [InlineData("""{"value":{"value":"a\udc00b"},"messageId":"m"}""", DataFormat.String, "m")]
    [InlineData("""{"value":{"value":"\ud800\ud800"},"messageId":"m"}""", DataFormat.String, "m")]
    [InlineData("""{"value":{"value":"\ud800"},"messageId":"m"}""", DataFormat.Json, "m")]
    [InlineData("""{"value":{"value":{"k":"\ud800"}},"messageId":"m"}""", DataFormat.Json, "m")]
    [InlineData("""{"value":{"value":{"\ud800":1}},"messageId":"m"}""", DataFormat.Json, "m")]
    [InlineData("""{"key":{"value":"\ud800"},"value":{"value":"v"},"messageId":"m"}""", DataFormat.String, "m")]
    [InlineData("""{"key":{"value":"k","format":"\ud800"},"value":{"value":"v"},"messageId":"m"}""", DataFormat.String, "m")]
    [InlineData("""{"headers":[{"key":"\ud800","value":"v"}],"value":{"value":"v"},"messageId":"m"}""", DataFormat.String, "m")]
    [InlineData("""{"headers":[{"key":"h","value":"\udfff"}],"value":{"value":"v"},"messageId":"m"}""", DataFormat.String, "m")]
    [InlineData("""{"messageId":"m","value":{"value":"\ud800"}}""", DataFormat.String, "m")]
    [InlineData("""{"value":{"value":"v"},"messageId":"\ud800"}""", DataFormat.String, "")]
    [InlineData("""{"messageId":"\ud800","value":{"value":"\ud800"}}""", DataFormat.String, "")]
    public void Parse_EscapedLoneSurrogateAnywhere_IsInvalidFrameAndNeverThrows(string frame, DataFormat valueFormat, string messageId)
    {
        var error = ParseError(frame, valueFormat: valueFormat);

        Assert.Equal(FrameErrorCodes.InvalidFrame, error.Code);
        Assert.Equal(messageId, error.MessageId);
        Assert.Contains("Unicode", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DataFormat.String)]
    [InlineData(DataFormat.Json)]
    public void Parse_EscapedSurrogatePair_IsOneCharacterNotAnError(DataFormat valueFormat)
    {
        var record = ParseOk("""{"value":{"value":"\ud83d\ude00"}}""", valueFormat: valueFormat);

        var text = valueFormat == DataFormat.Json
            ? System.Text.Json.JsonDocument.Parse(record.Value.JsonValue).RootElement.GetString()
            : record.Value.StringValue;
        Assert.Equal("\U0001F600", text);
    }

    [Theory]
    [InlineData(DataFormat.Int, "1e999999999999")]
    [InlineData(DataFormat.Long, "-99999999999999999999999999999999999999")]
    [InlineData(DataFormat.Short, "1.0e-99999")]
    [InlineData(DataFormat.Double, "1e400")]
    [InlineData(DataFormat.Float, "-1e39")]
    [InlineData(DataFormat.Double, "123456789012345678901234567890123456789012345678901234567890e300")]
    public void Parse_NumberBeyondEveryType_IsInvalidValueAndNeverThrows(DataFormat valueFormat, string number)
    {
        var error = ParseError("""{"value":{"value":""" + number + """},"messageId":"m"}""", valueFormat: valueFormat);

        Assert.Equal(FrameErrorCodes.InvalidValue, error.Code);
        Assert.Equal("m", error.MessageId);
    }

    [Fact]
    public void Parse_TenThousandHeaders_KeepsThemAll()
    {
        var headers = string.Join(",", Enumerable.Range(0, 10_000).Select(i => $$"""{"key":"h{{i}}","value":"v"}"""));

        var record = ParseOk("""{"headers":[""" + headers + """],"value":{"value":"v"}}""");

        Assert.Equal(10_000, record.Headers.Count);
    }

    [Fact]
    public void Parse_SameParserManyFrames_KeepsNoStateBetweenFrames()
    {
        var parser = new ProduceFrameParser(DataFormat.Unspecified, DataFormat.String);

        var first = parser.Parse("""{"value":{"value":1},"messageId":"bad"}"""u8, out var firstError);
        var second = parser.Parse("""{"value":{"value":"ok"}}"""u8, out var secondError);

        Assert.Null(first);
        Assert.Equal("bad", firstError!.MessageId);
        Assert.Null(secondError);
        Assert.Equal("", second!.MessageId);
    }

    private static ProduceRecord ParseOk(
        string frame, DataFormat keyFormat = DataFormat.Unspecified, DataFormat valueFormat = DataFormat.String)
    {
        var record = new ProduceFrameParser(keyFormat, valueFormat).Parse(Encoding.UTF8.GetBytes(frame), out var error);
        Assert.True(error is null, $"Expected a record, got {error}");
        Assert.NotNull(record);
        return record;
    }

    private static FrameError ParseError(
        string frame, DataFormat keyFormat = DataFormat.Unspecified, DataFormat valueFormat = DataFormat.String)
    {
        ProduceRecord? record;
        FrameError? error;
        try
        {
            record = new ProduceFrameParser(keyFormat, valueFormat).Parse(Encoding.UTF8.GetBytes(frame), out error);
        }
        catch (Exception e)
        {
            Assert.Fail($"The parser threw instead of answering with an error: {e}");
            throw;
        }

        Assert.True(record is null, $"Expected an error, got the record {record}");
        Assert.NotNull(error);
        return error;
    }
}
