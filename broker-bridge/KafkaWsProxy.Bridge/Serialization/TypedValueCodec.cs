using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Serialization;

/// <summary>
/// Converts typed keys and values to Kafka bytes and back, exactly as Kafka's
/// standard serializers do: UTF-8 text for string and json, big-endian binary
/// for the numeric formats.
/// </summary>
internal static class TypedValueCodec
{
    /// <summary>Encodes a value in its declared format. Returns an error text instead of throwing.</summary>
    public static bool TryEncode(TypedValue value, DataFormat format, out byte[] bytes, out string error)
    {
        bytes = [];
        error = "";
        switch (format, value.KindCase)
        {
            case (DataFormat.String, TypedValue.KindOneofCase.StringValue):
                bytes = Encoding.UTF8.GetBytes(value.StringValue);
                return true;

            case (DataFormat.Json, TypedValue.KindOneofCase.JsonValue):
                bytes = Encoding.UTF8.GetBytes(value.JsonValue);
                if (!IsOneJsonValue(bytes))
                {
                    error = "is not a valid JSON value";
                    return false;
                }

                return true;

            case (DataFormat.Int, TypedValue.KindOneofCase.IntValue):
                bytes = new byte[4];
                BinaryPrimitives.WriteInt32BigEndian(bytes, value.IntValue);
                return true;

            case (DataFormat.Short, TypedValue.KindOneofCase.ShortValue):
                if (value.ShortValue is < short.MinValue or > short.MaxValue)
                {
                    error = $"{value.ShortValue} is out of range for short ({short.MinValue}..{short.MaxValue})";
                    return false;
                }

                bytes = new byte[2];
                BinaryPrimitives.WriteInt16BigEndian(bytes, (short)value.ShortValue);
                return true;

            case (DataFormat.Long, TypedValue.KindOneofCase.LongValue):
                bytes = new byte[8];
                BinaryPrimitives.WriteInt64BigEndian(bytes, value.LongValue);
                return true;

            case (DataFormat.Float, TypedValue.KindOneofCase.FloatValue):
                if (!float.IsFinite(value.FloatValue))
                {
                    error = "is not a finite float";
                    return false;
                }

                bytes = new byte[4];
                BinaryPrimitives.WriteSingleBigEndian(bytes, value.FloatValue);
                return true;

            case (DataFormat.Double, TypedValue.KindOneofCase.DoubleValue):
                if (!double.IsFinite(value.DoubleValue))
                {
                    error = "is not a finite double";
                    return false;
                }

                bytes = new byte[8];
                BinaryPrimitives.WriteDoubleBigEndian(bytes, value.DoubleValue);
                return true;

            case (DataFormat.Bytes, TypedValue.KindOneofCase.BytesValue):
                bytes = value.BytesValue.ToByteArray();
                return true;

            default:
                error = $"carries {value.KindCase} but its declared format is {format}";
                return false;
        }
    }

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Decodes Kafka bytes as the requested format. When they do not fit, returns
    /// false with the raw bytes as <paramref name="value"/> (never drops data).
    /// </summary>
    public static bool TryDecode(byte[] bytes, DataFormat format, out TypedValue value, out string error)
    {
        error = "";
        switch (format)
        {
            case DataFormat.String or DataFormat.Unspecified when TryUtf8(bytes, out var text):
                value = new TypedValue { StringValue = text };
                return true;

            case DataFormat.Json when IsOneJsonValue(bytes) && TryUtf8(bytes, out var json):
                value = new TypedValue { JsonValue = json };
                return true;

            case DataFormat.Int when bytes.Length == 4:
                value = new TypedValue { IntValue = BinaryPrimitives.ReadInt32BigEndian(bytes) };
                return true;

            case DataFormat.Short when bytes.Length == 2:
                value = new TypedValue { ShortValue = BinaryPrimitives.ReadInt16BigEndian(bytes) };
                return true;

            case DataFormat.Long when bytes.Length == 8:
                value = new TypedValue { LongValue = BinaryPrimitives.ReadInt64BigEndian(bytes) };
                return true;

            case DataFormat.Float when bytes.Length == 4:
                value = new TypedValue { FloatValue = BinaryPrimitives.ReadSingleBigEndian(bytes) };
                return true;

            case DataFormat.Double when bytes.Length == 8:
                value = new TypedValue { DoubleValue = BinaryPrimitives.ReadDoubleBigEndian(bytes) };
                return true;

            case DataFormat.Bytes:
                value = new TypedValue { BytesValue = Google.Protobuf.ByteString.CopyFrom(bytes) };
                return true;

            default:
                value = new TypedValue { BytesValue = Google.Protobuf.ByteString.CopyFrom(bytes) };
                error = $"{bytes.Length} bytes are not a valid {format}";
                return false;
        }
    }

    private static bool TryUtf8(byte[] bytes, out string text)
    {
        try
        {
            text = s_strictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }

    /// <summary>The format a value's case implies, for records whose stream declares none.</summary>
    public static DataFormat ImpliedFormat(TypedValue value) => value.KindCase switch
    {
        TypedValue.KindOneofCase.StringValue => DataFormat.String,
        TypedValue.KindOneofCase.JsonValue => DataFormat.Json,
        TypedValue.KindOneofCase.IntValue => DataFormat.Int,
        TypedValue.KindOneofCase.ShortValue => DataFormat.Short,
        TypedValue.KindOneofCase.LongValue => DataFormat.Long,
        TypedValue.KindOneofCase.FloatValue => DataFormat.Float,
        TypedValue.KindOneofCase.DoubleValue => DataFormat.Double,
        TypedValue.KindOneofCase.BytesValue => DataFormat.Bytes,
        _ => DataFormat.Unspecified,
    };

    private static bool IsOneJsonValue(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read())
            {
                return false;
            }

            reader.Skip();
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
