using KafkaWsProxy.Benchmarks.Floor;
using KafkaWsProxy.Benchmarks.Infrastructure;
using KafkaWsProxy.Benchmarks.Scenarios;

if (args is [BroadcastFloorServer.Argument, .. var broadcastFloorArguments])
{
    return await BroadcastFloorServer.RunAsync(broadcastFloorArguments);
}

if (args is [ProduceFloorServer.Argument, .. var floorArguments])
{
    return await ProduceFloorServer.RunAsync(floorArguments);
}

BenchOptions options;
BenchComparison? earlierRun;
try
{
    options = BenchOptions.Parse(args);
    earlierRun = options.CompareWith is { } earlier ? BenchComparison.Load(earlier) : null;
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

Console.WriteLine($"Machine: {BenchReport.Machine}");
await using var environment = await BenchEnvironment.StartAsync();
var kafka = environment.Embedded
    ? $"embedded broker (librdkafka mock cluster, 1 broker, in the benchmark process), {BenchEnvironment.Partitions} partitions per topic"
    : $"{environment.BootstrapServers} (KAFKA_BOOTSTRAP_SERVERS), {BenchEnvironment.Partitions} partitions per topic";
Console.WriteLine($"Kafka: {kafka}");
Console.WriteLine($"Bridge pid {environment.Bridge.Pid} at {environment.Bridge.Address}, edge pid {environment.Edge.Pid} at {environment.Edge.Address}");

var report = new BenchReport(options, kafka);
try
{
    // The floor and the fuzz do not go through the proxy's Kafka path.
    if (options.Scenarios.Any(s => s is not "fuzz" and not "floor"))
    {
        await WarmUp.RunAsync(environment, options);
    }

    if (options.Scenarios.Contains("produce"))
    {
        await ProduceThroughput.RunAsync(environment, options, report);
    }

    if (options.Scenarios.Contains("floor"))
    {
        await WebSocketFloor.RunAsync(options, report);
    }

    if (options.Scenarios.Contains("consume"))
    {
        await ConsumeThroughput.RunAsync(environment, options, report);
    }

    if (options.Scenarios.Contains("latency"))
    {
        await AddedLatency.RunAsync(environment, options, report);
    }

    if (options.Scenarios.Contains("connections"))
    {
        await ConnectionScale.RunAsync(environment, options, report);
    }

    if (options.Scenarios.Contains("resume"))
    {
        await ResumeWithoutRebalance.RunAsync(environment, options, report);
    }

    if (options.Scenarios.Contains("broadcast"))
    {
        await BroadcastFanOut.RunAsync(environment, options, report);
    }

    if (options.Scenarios.Contains("fuzz"))
    {
        await Fuzz.RunAsync(environment, options, report);
    }
}
catch (Exception e)
{
    Console.Error.WriteLine($"The benchmark failed: {e}");
    Console.Error.WriteLine($"--- bridge log ---{Environment.NewLine}{environment.Bridge.Log}");
    Console.Error.WriteLine($"--- edge log ---{Environment.NewLine}{environment.Edge.Log}");
    return 1;
}

Console.WriteLine();
Console.WriteLine(report.ToMarkdown());
var comparison = earlierRun?.ToMarkdown(report.Rows);
if (comparison is not null)
{
    Console.WriteLine(comparison);
}

var (markdown, json) = await report.WriteAsync(options.OutputDirectory, comparison);
Console.WriteLine($"Written: {markdown}");
Console.WriteLine($"Written: {json}");
return 0;
