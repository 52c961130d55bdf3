using KafkaWsProxy.Contracts.V1;
using KafkaWsProxy.Edge.Sockets;

namespace KafkaWsProxy.Edge.Produce;

/// <summary>The query of a /socket/in request (docs/protocol.md §4), validated and turned into the bridge's open message.</summary>
internal static class ProducerSocketRequest
{
    public static ProduceOpen Parse(IQueryCollection query)
    {
        var reader = new QueryReader(query);
        var open = new ProduceOpen
        {
            ClientId = reader.Required("clientId"),
            Topic = reader.Topic(),
            InstanceId = reader.Optional("instanceId") ?? "",
        };
        reader.SocketPayload();
        open.KeyFormat = reader.Format("keyType", DataFormat.Unspecified);
        open.ValueFormat = reader.Format("valType", DataFormat.String);
        open.Transactional = reader.Boolean("transactional", whenAbsent: false);
        return open;
    }
}
