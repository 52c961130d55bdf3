namespace KafkaWsProxy.Bridge.Security;

/// <summary>
/// Mutual TLS: which clients (edges, internal services) may call the bridge.
/// Section "Tls". The server certificate itself is Kestrel's own configuration
/// (Kestrel:Certificates:Default:Path/KeyPath/Password).
/// </summary>
public sealed class ClientCertificateOptions
{
    public const string SectionName = "Tls";

    /// <summary>
    /// PEM file of the CA whose certificates clients must present. Set: every
    /// https connection must bring a client certificate issued by it.
    /// </summary>
    public string ClientCaPath { get; set; } = "";
}
