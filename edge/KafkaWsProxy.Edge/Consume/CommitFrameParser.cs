using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Consume;

/// <summary>Parses an inbound /socket/out commit frame: {"wsProxyMessageId":"{topic}-{partition}-{offset}-{timestamp}"}.</summary>
internal static partial class CommitFrameParser
{
    public static CommitRequest? Parse(ReadOnlySpan<byte> frame, string topic, out FrameError? error)
    {
        try
        {
            return ParseContent(frame, topic, out error);
        }
        catch (JsonException e)
        {
            error = new FrameError(FrameErrorCodes.InvalidFrame, "The frame is not valid JSON: " + e.Message);
        }
        catch (Exception e) when (FrameContentErrors.IsContentFailure(e))
        {
            // A lone surrogate, invalid UTF-8, or anything else the content provokes: this frame's error only.
            error = new FrameError(FrameErrorCodes.InvalidFrame, FrameContentErrors.Describe(e));
        }

        return null;
    }

    private static CommitRequest? ParseContent(ReadOnlySpan<byte> frame, string topic, out FrameError? error)
    {
        string? id = null;
        var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = 16 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            error = new FrameError(FrameErrorCodes.InvalidFrame, "A commit frame must be a JSON object {\"wsProxyMessageId\":\"...\"}.");
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isId = reader.ValueTextEquals("wsProxyMessageId"u8);
            reader.Read();
            if (isId && reader.TokenType == JsonTokenType.String)
            {
                id = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        if (reader.Read())
        {
            error = new FrameError(FrameErrorCodes.InvalidFrame, "Unexpected content after the commit frame's JSON object.");
            return null;
        }

        if (id is null)
        {
            error = new FrameError(FrameErrorCodes.InvalidFrame, "A commit frame needs a string 'wsProxyMessageId'.");
            return null;
        }

        var match = MessageIdPattern().Match(id);
        if (!match.Success
            || !int.TryParse(match.Groups["partition"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
            || !long.TryParse(match.Groups["offset"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            || !long.TryParse(match.Groups["timestamp"].ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var timestamp))
        {
            error = new FrameError(FrameErrorCodes.InvalidCommit, "'wsProxyMessageId' is not of the form {topic}-{partition}-{offset}-{timestamp}.", id);
            return null;
        }

        if (match.Groups["topic"].Value != topic)
        {
            error = new FrameError(FrameErrorCodes.InvalidCommit, $"'wsProxyMessageId' names another topic than this socket's ({topic}).", id);
            return null;
        }

        error = null;
        return new CommitRequest
        {
            RequestId = id,
            Offsets = { new CommitOffset { Partition = partition, Offset = offset, TimestampMs = timestamp } },
        };
    }

    [GeneratedRegex(@"^(?<topic>.+)-(?<partition>\d{1,9})-(?<offset>\d{1,19})-(?<timestamp>-?\d{1,19})$", RegexOptions.CultureInvariant)]
    private static partial Regex MessageIdPattern();
}
