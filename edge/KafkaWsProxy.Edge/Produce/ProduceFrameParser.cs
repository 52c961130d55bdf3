using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Produce;

/// <summary>
/// Parses one inbound /socket/in frame (docs/protocol.md §4) into a <see cref="ProduceRecord"/>
/// with a forward-only <see cref="Utf8JsonReader"/>: no reflection, one pass.
/// Values are checked against the socket's formats here, so a bad record is
/// answered without a round trip to the bridge.
/// </summary>
internal sealed class ProduceFrameParser(DataFormat socketKeyFormat, DataFormat socketValueFormat)
{
    private static readonly JsonReaderOptions s_readerOptions = new() { MaxDepth = 64 };

    // Strict: invalid UTF-8 in a JSON value is an error, not silently replaced by U+FFFD.
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly JsonWriterOptions s_compactJson = new()
    {
        Indented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly DataFormat _valueFormat = socketValueFormat == DataFormat.Unspecified ? DataFormat.String : socketValueFormat;

    /// <summary>Returns the record, or null with <paramref name="error"/> set.</summary>
    public ProduceRecord? Parse(ReadOnlySpan<byte> frame, out FrameError? error)
    {
        var messageId = "";
        try
        {
            var reader = new Utf8JsonReader(frame, s_readerOptions);
            var record = ReadRecord(ref reader, ref messageId);
            if (reader.Read())
            {
                throw new FrameException(FrameErrorCodes.InvalidFrame, "Unexpected content after the frame's JSON object.");
            }

            error = null;
            return record;
        }
        catch (FrameException e)
        {
            error = new FrameError(e.Code, e.Message, messageId.Length > 0 ? messageId : FindMessageId(frame));
        }
        catch (JsonException e)
        {
            error = new FrameError(FrameErrorCodes.InvalidFrame, "The frame is not valid JSON: " + e.Message, messageId);
        }
        catch (Exception e) when (FrameContentErrors.IsContentFailure(e))
        {
            // A lone surrogate, invalid UTF-8, or anything else the content provokes: this frame's error only.
            error = new FrameError(FrameErrorCodes.InvalidFrame, FrameContentErrors.Describe(e), messageId.Length > 0 ? messageId : FindMessageId(frame));
        }

        return null;
    }

    /// <summary>
    /// Best effort, for a frame that failed before its messageId was read: the
    /// top-level "messageId" string, so the error frame can name it.
    /// </summary>
    private static string FindMessageId(ReadOnlySpan<byte> frame)
    {
        try
        {
            var reader = new Utf8JsonReader(frame, s_readerOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return "";
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMessageId = reader.ValueTextEquals("messageId"u8);
                reader.Read();
                if (isMessageId && reader.TokenType == JsonTokenType.String)
                {
                    return reader.GetString()!;
                }

                reader.Skip();
            }
        }
        catch (Exception e) when (FrameContentErrors.IsContentFailure(e))
        {
            // Not recoverable: the error frame goes without a messageId.
        }

        return "";
    }

    private ProduceRecord ReadRecord(ref Utf8JsonReader reader, ref string messageId)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FrameException(FrameErrorCodes.InvalidFrame, "The frame must be a JSON object.");
        }

        var record = new ProduceRecord();
        var sawValue = false;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("headers"u8))
            {
                Next(ref reader);
                ReadHeaders(ref reader, record);
            }
            else if (reader.ValueTextEquals("key"u8))
            {
                Next(ref reader);
                if (reader.TokenType != JsonTokenType.Null)
                {
                    record.Key = ReadTyped(ref reader, "key", socketKeyFormat, FrameErrorCodes.InvalidKey, out var keyFormat);
                    record.KeyFormat = keyFormat;
                }
            }
            else if (reader.ValueTextEquals("value"u8))
            {
                Next(ref reader);
                sawValue = true;
                if (reader.TokenType != JsonTokenType.Null)
                {
                    record.Value = ReadTyped(ref reader, "value", _valueFormat, FrameErrorCodes.InvalidValue, out _);
                }
            }
            else if (reader.ValueTextEquals("messageId"u8))
            {
                Next(ref reader);
                messageId = reader.TokenType switch
                {
                    JsonTokenType.String => reader.GetString()!,
                    JsonTokenType.Null => "",
                    _ => throw new FrameException(FrameErrorCodes.InvalidFrame, "'messageId' must be a string."),
                };
                record.MessageId = messageId;
            }
            else
            {
                // Unknown members are ignored, so clients may send fields of newer versions.
                Next(ref reader);
                reader.Skip();
            }
        }

        if (!sawValue)
        {
            throw new FrameException(FrameErrorCodes.InvalidFrame, "The frame has no 'value'.");
        }

        return record;
    }

    private static void ReadHeaders(ref Utf8JsonReader reader, ProduceRecord record)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new FrameException(FrameErrorCodes.InvalidFrame, "'headers' must be an array of {\"key\":...,\"value\":...}.");
        }

        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new FrameException(FrameErrorCodes.InvalidFrame, "Each header must be an object {\"key\":...,\"value\":...}.");
            }

            string? key = null;
            var value = ByteString.Empty;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                var isKey = reader.ValueTextEquals("key"u8);
                var isValue = reader.ValueTextEquals("value"u8);
                Next(ref reader);
                if (isKey && reader.TokenType == JsonTokenType.String)
                {
                    key = reader.GetString();
                }
                else if (isValue && reader.TokenType == JsonTokenType.String)
                {
                    value = ByteString.CopyFromUtf8(reader.GetString()!);
                }
                else if (isValue && reader.TokenType == JsonTokenType.Null)
                {
                    value = ByteString.Empty;
                }
                else if (isKey || isValue)
                {
                    throw new FrameException(FrameErrorCodes.InvalidFrame, "A header's 'key' and 'value' must be strings.");
                }
                else
                {
                    reader.Skip();
                }
            }

            if (string.IsNullOrEmpty(key))
            {
                throw new FrameException(FrameErrorCodes.InvalidFrame, "A header has no 'key'.");
            }

            record.Headers.Add(new RecordHeader { Key = key, Value = value });
        }
    }

    /// <summary>Reads {"value":...,"format":"..."} in the declared format (or the frame's own when none is declared).</summary>
    private static TypedValue ReadTyped(ref Utf8JsonReader reader, string member, DataFormat declared, string errorCode, out DataFormat format)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FrameException(FrameErrorCodes.InvalidFrame, $"'{member}' must be an object {{\"value\":...,\"format\":...}}.");
        }

        // "format" may come after "value", so note where the value is and read it once the format is known.
        var valueReader = default(Utf8JsonReader);
        var hasValue = false;
        DataFormat? frameFormat = null;
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("value"u8))
            {
                Next(ref reader);
                valueReader = reader;
                hasValue = true;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("format"u8))
            {
                Next(ref reader);
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                var name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                if (!FormatNames.TryParse(name, out var parsed))
                {
                    throw new FrameException(errorCode, $"'{member}.format' is not a valid format type.");
                }

                frameFormat = parsed;
            }
            else
            {
                Next(ref reader);
                reader.Skip();
            }
        }

        if (!hasValue)
        {
            throw new FrameException(FrameErrorCodes.InvalidFrame, $"'{member}' has no 'value'.");
        }

        if (declared != DataFormat.Unspecified && frameFormat is { } given && given != declared)
        {
            throw new FrameException(errorCode,
                $"'{member}.format' is {FormatNames.NameOf(given)} but the socket's type is {FormatNames.NameOf(declared)}.");
        }

        format = declared != DataFormat.Unspecified ? declared : frameFormat ?? DataFormat.String;
        return ReadValue(ref valueReader, member, format, errorCode);
    }

    private static TypedValue ReadValue(ref Utf8JsonReader reader, string member, DataFormat format, string errorCode)
    {
        var name = FormatNames.NameOf(format);
        switch (format)
        {
            case DataFormat.String when reader.TokenType == JsonTokenType.String:
                return new TypedValue { StringValue = reader.GetString() };

            case DataFormat.Json:
                return new TypedValue { JsonValue = CompactJson(ref reader) };

            case DataFormat.Int when reader.TokenType == JsonTokenType.Number:
                return reader.TryGetInt32(out var i)
                    ? new TypedValue { IntValue = i }
                    : throw OutOfRange(member, name, errorCode);

            case DataFormat.Short when reader.TokenType == JsonTokenType.Number:
                return reader.TryGetInt16(out var s)
                    ? new TypedValue { ShortValue = s }
                    : throw OutOfRange(member, name, errorCode);

            case DataFormat.Long when reader.TokenType == JsonTokenType.Number:
                return reader.TryGetInt64(out var l)
                    ? new TypedValue { LongValue = l }
                    : throw OutOfRange(member, name, errorCode);

            case DataFormat.Float when reader.TokenType == JsonTokenType.Number:
                return reader.TryGetSingle(out var f) && float.IsFinite(f)
                    ? new TypedValue { FloatValue = f }
                    : throw OutOfRange(member, name, errorCode);

            case DataFormat.Double when reader.TokenType == JsonTokenType.Number:
                return reader.TryGetDouble(out var d) && double.IsFinite(d)
                    ? new TypedValue { DoubleValue = d }
                    : throw OutOfRange(member, name, errorCode);

            default:
                var expected = format == DataFormat.String ? "a JSON string" : "a JSON number";
                throw new FrameException(errorCode, $"'{member}.value' must be {expected} for format {name}.");
        }
    }

    private static string CompactJson(ref Utf8JsonReader reader)
    {
        using var element = JsonDocument.ParseValue(ref reader);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, s_compactJson))
        {
            element.RootElement.WriteTo(writer);
        }

        return s_strictUtf8.GetString(buffer.WrittenSpan);
    }

    private static FrameException OutOfRange(string member, string format, string errorCode) =>
        new(errorCode, $"'{member}.value' is not a valid {format}: out of range or not a whole number where one is needed.");

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new FrameException(FrameErrorCodes.InvalidFrame, "The frame ends too early.");
        }

        return reader.TokenType;
    }

    private sealed class FrameException(string code, string message) : Exception(message)
    {
        public string Code { get; } = code;
    }
}
