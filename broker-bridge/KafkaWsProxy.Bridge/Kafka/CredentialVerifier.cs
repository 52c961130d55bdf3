using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Confluent.Kafka;
using Grpc.Core;
using KafkaWsProxy.Bridge.Configuration;
using KafkaWsProxy.Contracts.V1;
using Microsoft.Extensions.Options;

namespace KafkaWsProxy.Bridge.Kafka;

/// <summary>
/// Checks a stream's own Kafka credentials before the stream opens, so that a
/// rejection is an HTTP answer (401 / 403), not a socket that never gets acks:
/// Kafka must accept the login (else UNAUTHENTICATED) and show the topic to
/// that principal (else PERMISSION_DENIED). A success is remembered for a while.
/// </summary>
internal sealed class CredentialVerifier(
    KafkaClientConfigFactory configs,
    IOptions<KafkaOptions> options,
    TimeProvider time)
{
    private static readonly TimeSpan s_remember = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _verified = new(StringComparer.Ordinal);

    public async Task VerifyAsync(KafkaCredentials? credentials, string topic, CancellationToken cancellationToken)
    {
        if (credentials is null)
        {
            return;
        }

        var key = CacheKey(credentials, topic);
        if (_verified.TryGetValue(key, out var until) && until > time.GetUtcNow())
        {
            return;
        }

        Confluent.Kafka.Metadata metadata;
        // librdkafka reports a failed login through the error callback, not through
        // the request, which then only times out: remember what the callback saw.
        Error? loginFailure = null;
        try
        {
            metadata = await Task.Run(() =>
            {
                using var admin = KafkaClientFactory.CreateQuietAdmin(configs.CreateAdminConfig(credentials), error =>
                {
                    if (IsLoginFailure(error.Code))
                    {
                        loginFailure = error;
                    }
                });
                return admin.GetMetadata(options.Value.MetadataTimeout);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException e)
        {
            throw IsLoginFailure(e.Error.Code) || loginFailure is not null
                ? new RpcException(new Status(StatusCode.Unauthenticated, "Kafka rejected the credentials of this socket."))
                : KafkaErrorMapping.ToRpcException(e, "Could not check the credentials of this socket");
        }

        var visible = metadata.Topics.FirstOrDefault(t => t.Topic == topic);
        if (visible is null || visible.Error.Code == ErrorCode.TopicAuthorizationFailed)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, $"The credentials of this socket are not authorized for topic {topic}."));
        }

        _verified[key] = time.GetUtcNow() + s_remember;
    }

    private static bool IsLoginFailure(ErrorCode code) =>
        code is ErrorCode.Local_Authentication or ErrorCode.SaslAuthenticationFailed or ErrorCode.IllegalSaslState
            or ErrorCode.UnsupportedSaslMechanism;

    /// <summary>Never holds the password itself: a digest of it.</summary>
    private static string CacheKey(KafkaCredentials credentials, string topic) =>
        $"{credentials.Username}\n{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(credentials.Password)))}\n{topic}";
}
