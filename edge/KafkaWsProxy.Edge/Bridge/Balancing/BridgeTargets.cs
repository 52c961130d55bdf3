namespace KafkaWsProxy.Edge.Bridge.Balancing;

/// <summary>
/// <c>Bridge:Address</c>, parsed: one bridge, a fixed list of bridges, or a DNS name whose
/// every address is a bridge.
/// </summary>
internal sealed record BridgeTargets(IReadOnlyList<Uri> Addresses, Uri? DnsName)
{
    public const string DnsScheme = "dns";

    /// <summary>One plain address: the channel dials it directly, without balancing or health watches.</summary>
    public bool IsSingle => DnsName is null && Addresses.Count == 1;

    /// <summary>Whether the bridges are reached over TLS.</summary>
    public bool UsesTls(bool dnsUseTls) => DnsName is null ? Addresses[0].Scheme == Uri.UriSchemeHttps : dnsUseTls;

    public static bool TryParse(string? value, out BridgeTargets targets)
    {
        targets = new BridgeTargets([], null);
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var trimmed = value.Trim();
        if (trimmed.StartsWith(DnsScheme + ":", StringComparison.OrdinalIgnoreCase))
        {
            // dns:///host:port (no authority: the system resolver).
            if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var dns) || dns.AbsolutePath.Trim('/').Length == 0)
            {
                return false;
            }

            targets = new BridgeTargets([], dns);
            return true;
        }

        var addresses = new List<Uri>();
        foreach (var part in trimmed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                return false;
            }

            addresses.Add(uri);
        }

        // One channel carries one kind of transport: h2c and TLS bridges cannot be mixed.
        if (addresses.Count == 0 || addresses.Select(a => a.Scheme).Distinct().Count() > 1)
        {
            return false;
        }

        targets = new BridgeTargets(addresses, null);
        return true;
    }
}
