using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace KafkaWsProxy.Bridge.Security;

/// <summary>
/// Requires, on every https endpoint, a client certificate that chains to the
/// configured CA (and only to it: the machine's roots are not trusted here).
/// </summary>
internal static class MutualTls
{
    public static void Configure(WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(ClientCertificateOptions.SectionName).Get<ClientCertificateOptions>() ?? new();
        if (string.IsNullOrWhiteSpace(options.ClientCaPath))
        {
            return;
        }

        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(options.ClientCaPath));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureHttpsDefaults(https =>
        {
            https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
            https.ClientCertificateValidation = (certificate, _, _) => IsIssuedBy(certificate, ca);
        }));
    }

    public static bool IsIssuedBy(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
