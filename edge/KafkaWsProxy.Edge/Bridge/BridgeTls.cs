using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using KafkaWsProxy.Edge.Configuration;

namespace KafkaWsProxy.Edge.Bridge;

/// <summary>TLS towards the bridge: which bridge certificates to trust, and the certificate this edge presents.</summary>
internal static class BridgeTls
{
    public static SslClientAuthenticationOptions CreateClientOptions(BridgeOptions options)
    {
        var ssl = new SslClientAuthenticationOptions();
        if (!string.IsNullOrWhiteSpace(options.ClientCertificatePath))
        {
            ssl.ClientCertificates = [LoadClientCertificate(options.ClientCertificatePath, options.ClientKeyPath)];
        }

        if (!string.IsNullOrWhiteSpace(options.CaPath))
        {
            var ca = X509Certificate2.CreateFromPem(File.ReadAllText(options.CaPath));
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                certificate is not null && IsTrusted(new X509Certificate2(certificate), ca, errors);
        }

        return ssl;
    }

    private static X509Certificate2 LoadClientCertificate(string certificatePath, string keyPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificatePath, string.IsNullOrWhiteSpace(keyPath) ? null : keyPath);
        // The TLS stack on Linux needs the key in an exportable, non-ephemeral form.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>Chains to the configured CA, and names the host we dialled.</summary>
    private static bool IsTrusted(X509Certificate2 certificate, X509Certificate2 ca, SslPolicyErrors errors)
    {
        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0 || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
