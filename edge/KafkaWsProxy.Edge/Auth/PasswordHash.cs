using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KafkaWsProxy.Edge.Auth;

/// <summary>
/// Stored passwords: "pbkdf2-sha256${iterations}${salt base64}${hash base64}", or
/// plain text. Every comparison is constant-time.
/// </summary>
internal static class PasswordHash
{
    private const string Prefix = "pbkdf2-sha256$";
    private const int Iterations = 210_000;

    /// <summary>A hash nobody knows the password of: what unknown user names are checked against.</summary>
    public static string Dummy { get; } = Create(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)));

    public static bool IsHashed(string stored) => stored.StartsWith(Prefix, StringComparison.Ordinal);

    public static string Create(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA256, 32);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    public static bool Verify(string password, string stored)
    {
        if (!IsHashed(stored))
        {
            // Plain text: compare digests so that neither content nor length leaks through timing.
            return CryptographicOperations.FixedTimeEquals(
                SHA256.HashData(Encoding.UTF8.GetBytes(password)), SHA256.HashData(Encoding.UTF8.GetBytes(stored)));
        }

        var parts = stored[Prefix.Length..].Split('$');
        if (parts.Length != 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 1)
        {
            return false;
        }

        try
        {
            var salt = Convert.FromBase64String(parts[1]);
            var expected = Convert.FromBase64String(parts[2]);
            var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, expected.Length);
            return CryptographicOperations.FixedTimeEquals(actual, expected);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
