using TopicSpec = KafkaWsProxy.Bridge.Kafka.TopicSpec;

namespace KafkaWsProxy.Bridge.Tests.Kafka;

/// <summary>KAFKA_TOPICS ("name:partitions,...") for the embedded broker's topics at start.</summary>
public sealed class TopicSpecTests
{
    [Fact]
    public void ParseList_NamesWithPartitions_AreParsedInOrder()
    {
        var specs = TopicSpec.ParseList("a:4,b:1");

        Assert.Equal([new TopicSpec("a", 4), new TopicSpec("b", 1)], specs);
    }

    [Fact]
    public void ParseList_NameWithoutPartitions_DefaultsTo4()
    {
        Assert.Equal([new TopicSpec("c", 4)], TopicSpec.ParseList("c"));
    }

    [Fact]
    public void ParseList_MixedEntries_DefaultOnlyWherePartitionsAreMissing()
    {
        Assert.Equal([new TopicSpec("a", 2), new TopicSpec("c", 4), new TopicSpec("d.e_f-g", 12)], TopicSpec.ParseList("a:2,c,d.e_f-g:12"));
    }

    [Theory]
    [InlineData(" a : 4 , b:1 ")]
    [InlineData("a:4,,b:1")]
    [InlineData("a:4,b:1,")]
    [InlineData(",a:4, \t,b:1")]
    [InlineData("\ta:4\n,b:1")]
    public void ParseList_WhitespaceAndEmptyEntries_AreIgnored(string specs)
    {
        Assert.Equal([new TopicSpec("a", 4), new TopicSpec("b", 1)], TopicSpec.ParseList(specs));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(",")]
    [InlineData(" , ,")]
    [InlineData(null)]
    public void ParseList_NothingGiven_IsAnEmptyList(string? specs)
    {
        Assert.Empty(TopicSpec.ParseList(specs));
    }

    [Theory]
    [InlineData("a:0")]
    [InlineData("a:-1")]
    [InlineData("a:+2")]
    [InlineData("a:x")]
    [InlineData("a:1.5")]
    [InlineData("a:")]
    [InlineData("a:99999999999")]
    [InlineData(":3")]
    [InlineData(" :3")]
    [InlineData(":")]
    [InlineData("a:1:2")]
    [InlineData("good:1,a:0")]
    public void ParseList_InvalidEntry_ThrowsFormatExceptionNamingIt(string specs)
    {
        var error = Assert.Throws<FormatException>(() => TopicSpec.ParseList(specs));

        var bad = specs.Split(',')[^1].Trim();
        Assert.Contains($"'{bad}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_IsTheSpecForm()
    {
        Assert.Equal("a:4", new TopicSpec("a", 4).ToString());
    }
}
