using KafkaWsProxy.Contracts.V1;

namespace KafkaWsProxy.Bridge.Consume;

/// <summary>
/// A record read from Kafka, waiting to be written to the stream, stamped with
/// its partition's assignment generation: if the partition is revoked before the
/// record is written, the stamp no longer matches and the record is not sent
/// (its next owner delivers it instead). <see cref="Size"/> is what it takes in a
/// response's batch (<see cref="Configuration.GrpcOptions.SizeInBatch"/>).
/// </summary>
internal readonly record struct BufferedRecord(ConsumedRecord Record, int Size, int Generation);
