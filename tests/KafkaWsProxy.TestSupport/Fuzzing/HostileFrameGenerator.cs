using System.Text;

namespace KafkaWsProxy.TestSupport.Fuzzing;

/// <summary>
/// A seeded generator of hostile inbound frames for both sockets (issue 10): random text, escapes
/// of every kind (lone surrogates included), deep nesting, huge numbers, wrong types, 10,000
/// headers, 100 KB messageIds, frames just under and just over the frame limit, binary frames,
/// and valid frames between them. The same seed gives the same frames.
/// </summary>
public sealed class HostileFrameGenerator(int seed, int maxFrameBytes)
{
    private static readonly string[] s_escapes =
    [
        "\\ud800", "\\udbff", "\\udc00", "\\udfff", "\\ud800\\ud800", "\\udc00\\ud800", "\\ud83d\\ude00", "\\u0000", "\\u001f",
        "\\uffff", "\\ufffe", "\\u00e9", "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t",
        // Not valid JSON escapes.
        "\\x41", "\\u12", "\\uZZZZ", "\\", "\\U0001F600", "\\a",
    ];

    private static readonly string[] s_hugeNumbers =
    [
        "1e99999", "-1e99999", "1e-99999", "99999999999999999999999999999999999999999", "-0", "0.5", "1.7976931348623157e309",
        "3.4028236e38", "9223372036854775808", "-9223372036854775809", "2147483648", "32768", "-32769", "1E400", "00", "+1", ".5", "NaN", "Infinity",
    ];

    private static readonly string[] s_formats = ["string", "json", "int", "short", "long", "double", "float", "STRING", "bytes", "", "nope"];

    private readonly Random _random = new(seed);
    private int _counter;

    public int Seed => seed;

    /// <summary>The next /socket/in frame: about a third valid, the rest hostile; closing frames only when allowed.</summary>
    public HostileFrame NextProduceFrame(bool allowClosing)
    {
        var id = $"f{seed}-{++_counter}";
        var roll = _random.Next(allowClosing ? 100 : 96);
        return roll switch
        {
            < 34 => Valid(id),
            < 40 => Produce("escapes", $$$"""{"value":{"value":"{{{Escapes()}}}"},"messageId":"{{{id}}}"}"""),
            < 44 => Produce("escapes-everywhere", $$$"""{"headers":[{"key":"{{{Escapes()}}}","value":"{{{Escapes()}}}"}],"key":{"value":"{{{Escapes()}}}"},"value":{"value":"{{{Escapes()}}}","format":"{{{Escapes()}}}"},"messageId":"{{{Escapes()}}}"}"""),
            < 48 => Produce("json-escapes", $$$"""{"value":{"value":{"{{{Escapes()}}}":["{{{Escapes()}}}"]},"format":"json"},"messageId":"{{{id}}}"}"""),
            < 52 => Produce("random-text", RandomText(_random.Next(0, 300))),
            < 55 => Produce("random-json-ish", RandomJsonIsh()),
            < 59 => Produce("deep-nesting", DeepNesting()),
            < 64 => Produce("huge-number", $$$"""{"value":{"value":{{{Pick(s_hugeNumbers)}}},"format":"{{{Pick(s_formats)}}}"},"key":{"value":{{{Pick(s_hugeNumbers)}}},"format":"{{{Pick(s_formats)}}}"},"messageId":"{{{id}}}"}"""),
            < 70 => Produce("wrong-types", WrongTypes(id)),
            < 73 => ManyHeaders(id),
            < 76 => LongMessageId(),
            < 80 => Binary(),
            < 82 => Produce("empty", ""),
            < 85 => Produce("truncated", Truncate(ValidText(id))),
            < 88 => Produce("duplicate-members", $$$"""{"value":{"value":"a"},"value":{"value":1,"format":"int"},"messageId":"{{{id}}}","messageId":7}"""),
            < 92 => Produce("unicode", $$$"""{"value":{"value":"{{{RandomUnicode(_random.Next(1, 200))}}}"},"messageId":"{{{RandomUnicode(_random.Next(0, 50))}}}"}"""),
            < 96 => JustUnderTheLimit(id),
            < 98 => JustOverTheLimit(),
            _ => InvalidUtf8Text(),
        };
    }

    /// <summary>The next hostile /socket/out frame (never a valid commit: <see cref="ValidCommit"/> makes those).</summary>
    public HostileFrame NextCommitFrame(string topic, bool allowClosing)
    {
        var roll = _random.Next(allowClosing ? 100 : 96);
        return roll switch
        {
            < 15 => Commit("escapes", $$$"""{"wsProxyMessageId":"{{{Escapes()}}}"}"""),
            < 25 => Commit("other-topic", $$$"""{"wsProxyMessageId":"other-{{{_random.Next(0, 4)}}}-{{{_random.Next()}}}-1"}"""),
            // The partition never parses, so this is never a commit that could succeed (and go unanswered).
            < 35 => Commit("huge-numbers", $$$"""{"wsProxyMessageId":"{{{topic}}}-99999999999999999999-{{{Pick(s_hugeNumbers)}}}-{{{Pick(s_hugeNumbers)}}}"}"""),
            < 45 => Commit("random-text", RandomText(_random.Next(0, 300))),
            < 50 => Commit("random-json-ish", RandomJsonIsh()),
            < 58 => Commit("deep-nesting", $$$"""{"wsProxyMessageId":{{{new string('[', _random.Next(10, 3000))}}}}"""),
            < 66 => Commit("wrong-types", $$$"""{"wsProxyMessageId":{{{Pick(["1", "true", "null", "{}", "[\"x\"]", "\"\""])}}}}"""),
            < 72 => Commit("long-id", $$$"""{"wsProxyMessageId":"{{{new string('x', 100_000)}}}-0-1-2"}"""),
            < 78 => Binary(),
            < 82 => Commit("empty", ""),
            < 88 => Commit("unicode", $$$"""{"wsProxyMessageId":"{{{RandomUnicode(_random.Next(1, 100))}}}"}"""),
            < 96 => Commit("just-under-the-limit", $$$"""{"wsProxyMessageId":"{{{topic}}}-999-1-2","pad":"{{{new string('p', maxFrameBytes - 60 - topic.Length)}}}"}"""),
            < 98 => JustOverTheLimit(),
            _ => InvalidUtf8Text(),
        };
    }

    /// <summary>A valid commit of a record this socket received.</summary>
    public static HostileFrame ValidCommit(string wsProxyMessageId) =>
        new(Encoding.UTF8.GetBytes($$$"""{"wsProxyMessageId":"{{{wsProxyMessageId}}}"}"""), false, "valid-commit", FrameExpectation.Valid, wsProxyMessageId);

    /// <summary>A plain valid record frame with a fresh messageId (for the checks after a run).</summary>
    public HostileFrame Valid() => Valid($"f{seed}-{++_counter}");

    private HostileFrame Valid(string id) => new(Encoding.UTF8.GetBytes(ValidText(id)), false, "valid", FrameExpectation.Valid, id);

    private string ValidText(string id) => _random.Next(4) switch
    {
        0 => $$$"""{"value":{"value":"v{{{id}}}"},"messageId":"{{{id}}}"}""",
        1 => $$$"""{"headers":[{"key":"h","value":"é"}],"key":{"value":"k{{{_random.Next(10)}}}"},"value":{"value":"{{{new string('v', _random.Next(1, 12_000))}}}"},"messageId":"{{{id}}}"}""",
        2 => $$$"""{"messageId":"{{{id}}}","value":{"value":"\u00e9\ud83d\ude00\n"}}""",
        _ => $$$"""{"value":{"value":"x"},"unknown":{"nested":[1,2,{"a":null}]},"messageId":"{{{id}}}"}""",
    };

    private static HostileFrame Produce(string kind, string text) => new(Encoding.UTF8.GetBytes(text), false, kind, FrameExpectation.Answered);

    private static HostileFrame Commit(string kind, string text) => new(Encoding.UTF8.GetBytes(text), false, kind, FrameExpectation.Answered);

    private static HostileFrame ManyHeaders(string id)
    {
        var headers = string.Join(",", Enumerable.Range(0, 10_000).Select(i => $$$"""{"key":"h{{{i}}}","value":"{{{i}}}"}"""));
        return new HostileFrame(Encoding.UTF8.GetBytes($$$"""{"headers":[{{{headers}}}],"value":{"value":"v"},"messageId":"{{{id}}}"}"""), false,
            "10000-headers", FrameExpectation.Valid, id);
    }

    private HostileFrame LongMessageId()
    {
        var id = $"f{seed}-{++_counter}-" + new string('m', 100_000);
        return new HostileFrame(Encoding.UTF8.GetBytes($$$"""{"value":{"value":"v"},"messageId":"{{{id}}}"}"""), false, "100kb-message-id",
            FrameExpectation.Valid, id);
    }

    /// <summary>Valid JSON of exactly the frame limit: larger than Kafka's default record limit, so answered too_large.</summary>
    private HostileFrame JustUnderTheLimit(string id)
    {
        var empty = $$$"""{"value":{"value":""},"messageId":"{{{id}}}"}""";
        var text = $$$"""{"value":{"value":"{{{new string('u', maxFrameBytes - empty.Length - _random.Next(0, 3))}}}"},"messageId":"{{{id}}}"}""";
        return Produce("just-under-the-limit", text);
    }

    private HostileFrame JustOverTheLimit() =>
        new(Encoding.UTF8.GetBytes($$$"""{"value":{"value":"{{{new string('o', maxFrameBytes + 1 - 22 + _random.Next(0, 3))}}}"}}"""), false,
            "just-over-the-limit", FrameExpectation.ClosesTooLarge);

    private static HostileFrame InvalidUtf8Text()
    {
        byte[] bad = [.. "{\"value\":{\"value\":\""u8, 0xC3, 0x28, 0xFF, (byte)'"', (byte)'}', (byte)'}'];
        return new HostileFrame(bad, false, "invalid-utf8-text", FrameExpectation.ClosesInvalidText);
    }

    private HostileFrame Binary()
    {
        var bytes = new byte[_random.Next(0, 2_000)];
        _random.NextBytes(bytes);
        if (bytes.Length > 2 && _random.Next(2) == 0)
        {
            // A binary frame whose content is a valid text frame: still refused.
            bytes = Encoding.UTF8.GetBytes("""{"value":{"value":"in a binary frame"}}""");
        }

        return new HostileFrame(bytes, true, "binary", FrameExpectation.Answered);
    }

    private string Escapes()
    {
        var builder = new StringBuilder();
        var count = _random.Next(1, 6);
        for (var i = 0; i < count; i++)
        {
            builder.Append(_random.Next(3) == 0 ? "a" : "").Append(Pick(s_escapes));
        }

        return builder.ToString();
    }

    private string DeepNesting()
    {
        var depth = _random.Next(60, 5_000);
        var open = _random.Next(2) == 0 ? new string('[', depth) + new string(']', depth)
            : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);
        return _random.Next(3) switch
        {
            0 => $$$"""{"value":{"value":{{{open}}},"format":"json"}}""",
            1 => $$$"""{"headers":{{{open}}},"value":{"value":"v"}}""",
            _ => open,
        };
    }

    private string WrongTypes(string id) => _random.Next(8) switch
    {
        0 => $$$"""{"value":{{{Pick(["1", "true", "null", "[]", "\"v\"", "{}"])}}},"messageId":"{{{id}}}"}""",
        1 => $$$"""{"value":{"value":"v"},"headers":{{{Pick(["1", "{}", "\"h\"", "[1]", "[{\"key\":1}]", "[{\"key\":\"h\",\"value\":[1]}]"])}}},"messageId":"{{{id}}}"}""",
        2 => $$$"""{"value":{"value":"v"},"messageId":{{{Pick(["1", "true", "{}", "[\"m\"]"])}}}}""",
        3 => $$$"""{"value":{"value":"v"},"key":{{{Pick(["1", "\"k\"", "[]", "{}", "{\"format\":\"string\"}"])}}},"messageId":"{{{id}}}"}""",
        4 => $$$"""{"value":{"value":{{{Pick(["[1]", "{\"a\":1}", "true", "\"12\""])}}},"format":"{{{Pick(s_formats)}}}"},"messageId":"{{{id}}}"}""",
        5 => Pick(["[]", "null", "42", "\"text\"", "true", "[{\"value\":{\"value\":\"v\"}}]"]),
        6 => $$$"""{"value":{"value":"v","format":{{{Pick(["1", "null", "[]", "{}"])}}}},"messageId":"{{{id}}}"}""",
        _ => $$$"""{"value":{"value":"v"}} {"value":{"value":"second"}}""",
    };

    private string RandomText(int length)
    {
        const string alphabet = "{}[]\":,\\ abcdefuv0123456789.-+eE\n\t\u00e9\u20ac\U0001F600nulltrue";
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            builder.Append(alphabet[_random.Next(alphabet.Length)]);
        }

        return builder.ToString();
    }

    private string RandomJsonIsh()
    {
        var parts = new[] { "{", "}", "[", "]", "\"value\"", "\"key\"", "\"headers\"", "\"messageId\"", "\"format\"", ":", ",", "\"v\"", "1", "null", "\"\\ud800\"", "1e999" };
        var builder = new StringBuilder("{");
        var count = _random.Next(1, 40);
        for (var i = 0; i < count; i++)
        {
            builder.Append(Pick(parts));
        }

        return builder.ToString();
    }

    /// <summary>Random valid UTF-16 text, supplementary characters included, escaped for a JSON string.</summary>
    private string RandomUnicode(int length)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            var codePoint = _random.Next(3) switch
            {
                0 => _random.Next(0x20, 0x7F),
                1 => _random.Next(0xA0, 0xD800),
                _ => _random.Next(0x10000, 0x10FFFF),
            };
            var text = char.ConvertFromUtf32(codePoint);
            builder.Append(text is "\"" or "\\" ? "\\" + text : text);
        }

        return builder.ToString();
    }

    private static string Truncate(string text) => text[..(text.Length / 2)];

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];
}
