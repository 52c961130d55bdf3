// A gRPC-native client of the KafkaWsProxy broker bridge: writes a few records to a
// topic, then reads them back in a consumer group of its own and commits them.
//
//   dotnet run --project samples/KafkaWsProxy.SampleGrpcClient -- http://127.0.0.1:50051 demo 3
//
// Arguments: bridge address (default http://127.0.0.1:50051), topic (default demo),
// number of records (default 3). Exit code 0 when every record came back.
using Grpc.Net.Client;
using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.SampleGrpcClient;

var address = args.Length > 0 ? args[0] : "http://127.0.0.1:50051";
var topic = args.Length > 1 ? args[1] : "demo";
var count = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 3;
var run = Guid.NewGuid().ToString("N")[..8];

using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
using var channel = GrpcChannel.ForAddress(address);
var bridge = new KafkaBridge.KafkaBridgeClient(channel);

var values = Enumerable.Range(0, count).Select(i => $"sample-{run}-{i}").ToList();
var positions = await SampleProducer.ProduceAsync(bridge, topic, values, deadline.Token);
foreach (var (value, position) in values.Zip(positions))
{
    Console.WriteLine($"produced {value} at {position.Topic}/{position.Partition}@{position.Offset}");
}

var received = await SampleConsumer.ConsumeAsync(bridge, topic, $"sample-{run}", values.ToHashSet(), deadline.Token);
foreach (var record in received)
{
    Console.WriteLine($"consumed {record.Value.StringValue} from {record.Position.Topic}/{record.Position.Partition}@{record.Position.Offset}");
}

Console.WriteLine($"done: {received.Count} of {count} records produced and consumed through {address}");
return received.Count == count ? 0 : 1;
