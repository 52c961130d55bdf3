using System.Text;
using KafkaWsProxy.Edge.Consume;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Tests.Consume;

/// <summary>docs/protocol.md §5: one inbound /socket/out commit frame becomes one commit or one error, never an exception.</summary>
public sealed class CommitFrameParserTests
{
    [Fact]
    public void Parse_WellFormedId_GivesCommitOfThatPosition()
    {
        var commit = CommitFrameParser.Parse("""{"wsProxyMessageId":"my-topic-3-42-1554402266846"}"""u8, "my-topic", out var error);

        Assert.Null(error);
        Assert.NotNull(commit);
        var offset = Assert.Single(commit.Offsets);
        Assert.Equal(3, offset.Partition);
        Assert.Equal(42, offset.Offset);
        Assert.Equal("my-topic-3-42-1554402266846", commit.RequestId);
    }

    // Issue 10: an escaped lone surrogate used to throw out of the parser and end the socket with 1006.
    [Theory]
    [InlineData("""{"wsProxyMessageId":"\ud800"}""")]
    [InlineData("""{"wsProxyMessageId":"t-0-1-2\udc00"}""")]
    [InlineData("""{"wsProxyMessageId":"\ud800\ud800"}""")]
    public void Parse_EscapedLoneSurrogate_IsInvalidFrameAndNeverThrows(string frame)
    {
        var error = ParseError(frame);

        Assert.Equal(FrameErrorCodes.InvalidFrame, error.Code);
        Assert.Contains("Unicode", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("{")]
    [InlineData("""{"wsProxyMessageId":"t-0-1-2"} trailing""")]
    [InlineData("""{"wsProxyMessageId":"t-0-1-2"}{}""")]
    [InlineData("""{"wsProxyMessageId":1}""")]
    [InlineData("""{"wsProxyMessageId":null}""")]
    [InlineData("""{"other":"t-0-1-2"}""")]
    public void Parse_NotACommitObject_IsInvalidFrameAndNeverThrows(string frame)
    {
        var error = ParseError(frame);

        Assert.Equal(FrameErrorCodes.InvalidFrame, error.Code);
    }

    [Fact]
    public void Parse_NestingBeyondTheLimit_IsInvalidFrameAndNeverThrows()
    {
        var frame = """{"x":""" + new string('[', 10_000) + new string(']', 10_000) + ""","wsProxyMessageId":"t-0-1-2"}""";

        Assert.Equal(FrameErrorCodes.InvalidFrame, ParseError(frame).Code);
    }

    [Theory]
    [InlineData("""{"wsProxyMessageId":"t-0-99999999999999999999-2"}""")]
    [InlineData("""{"wsProxyMessageId":"t-9999999999-1-2"}""")]
    [InlineData("""{"wsProxyMessageId":"t-0-1-99999999999999999999"}""")]
    [InlineData("""{"wsProxyMessageId":"other-0-1-2"}""")]
    [InlineData("""{"wsProxyMessageId":"t-0-1"}""")]
    public void Parse_IdOutOfRangeOrOfAnotherTopic_IsInvalidCommitAndNeverThrows(string frame)
    {
        Assert.Equal(FrameErrorCodes.InvalidCommit, ParseError(frame).Code);
    }

    [Fact]
    public void Parse_HundredKilobyteId_IsInvalidCommitAndNeverThrows()
    {
        var id = string.Concat(Enumerable.Repeat("-1", 50_000));

        var error = ParseError($$"""{"wsProxyMessageId":"{{id}}x"}""");

        Assert.Equal(FrameErrorCodes.InvalidCommit, error.Code);
    }

    private static FrameError ParseError(string frame)
    {
        CommitRequestResult result;
        try
        {
            var commit = CommitFrameParser.Parse(Encoding.UTF8.GetBytes(frame), "t", out var error);
            result = new CommitRequestResult(commit is null, error);
        }
        catch (Exception e)
        {
            Assert.Fail($"The parser threw instead of answering with an error: {e}");
            throw;
        }

        Assert.True(result.Rejected, "Expected an error, got a commit.");
        Assert.NotNull(result.Error);
        return result.Error;
    }

    private readonly record struct CommitRequestResult(bool Rejected, FrameError? Error);
}
