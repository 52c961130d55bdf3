using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using KafkaWsProxy.Tests.Infrastructure;
using Frozen = KafkaWsProxy.Tests.FrozenContract.V1;
using Today = KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Tests.Contract;

/// <summary>
/// The proto is the public API (docs/grpc-api.md, "Compatibility"): a client generated from
/// the December 2026 proto (Contract/Frozen/2026-12) keeps working against today's bridge, and
/// today's proto only adds to it.
/// </summary>
[Collection(ProxyTests.Name)]
public sealed class FrozenContractTests(ProxyFixture proxy)
{
    [Fact]
    public async Task ClientFromTheDecember2026Proto_ProducesAndConsumesThroughTodaysBridge()
    {
        var topic = proxy.CreateTopic(partitions: 1);
        using var channel = GrpcChannel.ForAddress(proxy.Bridge.Address);
        var bridge = new Frozen.KafkaBridge.KafkaBridgeClient(channel);

        using (var produce = bridge.Produce())
        {
            await produce.RequestStream.WriteAsync(new Frozen.ProduceRequest { Open = new Frozen.ProduceOpen { Topic = topic, ClientId = "frozen" } });
            Assert.True(await produce.ResponseStream.MoveNext());
            Assert.Equal(1, produce.ResponseStream.Current.Opened.PartitionCount);
            var batch = new Frozen.ProduceBatch();
            batch.Records.Add(new Frozen.ProduceRecord { MessageId = "a", Value = new Frozen.TypedValue { StringValue = "old client" } });
            await produce.RequestStream.WriteAsync(new Frozen.ProduceRequest { Batch = batch });
            Assert.True(await produce.ResponseStream.MoveNext());
            var result = Assert.Single(produce.ResponseStream.Current.Results.Results);
            Assert.Equal("a", result.MessageId);
            Assert.Equal(0, result.Position.Offset);
            await produce.RequestStream.CompleteAsync();
        }

        using var consume = bridge.Consume();
        await consume.RequestStream.WriteAsync(new Frozen.ConsumeRequest
        {
            Open = new Frozen.ConsumeOpen { Topic = topic, ClientId = "frozen", GroupId = $"frozen-{topic}", OffsetReset = Frozen.OffsetReset.Earliest },
        });
        Assert.True(await consume.ResponseStream.MoveNext());
        Assert.Equal(Frozen.ConsumeResponse.KindOneofCase.Opened, consume.ResponseStream.Current.KindCase);
        Frozen.ConsumedRecord? record = null;
        while (record is null && await consume.ResponseStream.MoveNext())
        {
            record = consume.ResponseStream.Current.Records?.Records.FirstOrDefault();
        }

        Assert.NotNull(record);
        Assert.Equal("old client", record.Value.StringValue);
        await consume.RequestStream.WriteAsync(new Frozen.ConsumeRequest
        {
            Commit = new Frozen.CommitRequest { RequestId = "c", Offsets = { new Frozen.CommitOffset { Partition = 0, Offset = record.Position.Offset } } },
        });
        Frozen.CommitResult? commit = null;
        while (commit is null && await consume.ResponseStream.MoveNext())
        {
            commit = consume.ResponseStream.Current.CommitResult;
        }

        Assert.NotNull(commit);
        Assert.Equal("c", commit.RequestId);
        Assert.Empty(commit.Failures);
        await consume.RequestStream.CompleteAsync();
    }

    [Fact]
    public void TodaysProto_KeepsEveryFieldEnumValueAndMethodOfTheFrozenOne()
    {
        var problems = new List<string>();
        foreach (var (frozen, today) in new[]
        {
            (Frozen.BridgeReflection.Descriptor, Today.BridgeReflection.Descriptor),
            (Frozen.RecordsReflection.Descriptor, Today.RecordsReflection.Descriptor),
        })
        {
            foreach (var message in frozen.MessageTypes)
            {
                CompareMessage(message, today.FindTypeByName<MessageDescriptor>(message.Name), problems);
            }

            foreach (var enumType in frozen.EnumTypes)
            {
                CompareEnum(enumType, today.FindTypeByName<EnumDescriptor>(enumType.Name), problems);
            }

            foreach (var service in frozen.Services)
            {
                var current = today.FindTypeByName<ServiceDescriptor>(service.Name);
                foreach (var method in service.Methods)
                {
                    var now = current?.FindMethodByName(method.Name);
                    if (now is null || now.InputType.FullName != method.InputType.FullName || now.OutputType.FullName != method.OutputType.FullName
                        || now.IsClientStreaming != method.IsClientStreaming || now.IsServerStreaming != method.IsServerStreaming)
                    {
                        problems.Add($"method {service.FullName}.{method.Name} was removed or changed");
                    }
                }
            }
        }

        Assert.Empty(problems);
    }

    private static void CompareMessage(MessageDescriptor frozen, MessageDescriptor? today, List<string> problems)
    {
        if (today is null)
        {
            problems.Add($"message {frozen.FullName} was removed");
            return;
        }

        foreach (var field in frozen.Fields.InDeclarationOrder())
        {
            var now = today.FindFieldByNumber(field.FieldNumber);
            if (now is null)
            {
                problems.Add($"field {frozen.FullName}.{field.Name} = {field.FieldNumber} was removed (reserve it and keep serving it instead)");
            }
            else if (now.Name != field.Name || now.FieldType != field.FieldType || now.IsRepeated != field.IsRepeated
                || TypeName(now) != TypeName(field) || now.RealContainingOneof?.Name != field.RealContainingOneof?.Name)
            {
                problems.Add($"field {frozen.FullName}.{field.Name} = {field.FieldNumber} was renamed, retyped or moved");
            }
        }

        foreach (var nested in frozen.NestedTypes)
        {
            CompareMessage(nested, today.NestedTypes.FirstOrDefault(n => n.Name == nested.Name), problems);
        }

        foreach (var nested in frozen.EnumTypes)
        {
            CompareEnum(nested, today.EnumTypes.FirstOrDefault(n => n.Name == nested.Name), problems);
        }
    }

    private static void CompareEnum(EnumDescriptor frozen, EnumDescriptor? today, List<string> problems)
    {
        if (today is null)
        {
            problems.Add($"enum {frozen.FullName} was removed");
            return;
        }

        foreach (var value in frozen.Values)
        {
            if (today.FindValueByNumber(value.Number)?.Name != value.Name)
            {
                problems.Add($"enum value {frozen.FullName}.{value.Name} = {value.Number} was removed or renamed");
            }
        }
    }

    private static string? TypeName(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Message or FieldType.Group => field.MessageType.FullName,
        FieldType.Enum => field.EnumType.FullName,
        _ => null,
    };
}
