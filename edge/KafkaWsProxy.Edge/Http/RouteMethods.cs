using System.Collections.Frozen;

namespace KafkaWsProxy.Edge.Http;

/// <summary>
/// The methods each of the edge's fixed paths accepts, so that the fallback can
/// answer a wrong method with 405 and <c>Allow</c> rather than 404: routing alone
/// cannot, since the fallback endpoint matches every method and wins over
/// routing's own 405.
/// </summary>
internal sealed class RouteMethods(EndpointDataSource endpoints)
{
    private FrozenDictionary<string, string>? _allowByPath;

    /// <summary>The <c>Allow</c> value for a path, or null when no route has that path.</summary>
    public string? AllowFor(PathString path)
    {
        // Built on first use: every route is mapped before the first request.
        _allowByPath ??= Build(endpoints);
        return _allowByPath.GetValueOrDefault(Normalize(path.Value));
    }

    private static FrozenDictionary<string, string> Build(EndpointDataSource endpoints)
    {
        var methods = new Dictionary<string, SortedSet<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>())
        {
            // Only literal paths with a method list: a route without one accepts every method.
            if (endpoint.RoutePattern.Parameters.Count > 0
                || endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { HttpMethods.Count: > 0 } accepted)
            {
                continue;
            }

            var path = Normalize(endpoint.RoutePattern.RawText);
            if (!methods.TryGetValue(path, out var set))
            {
                methods[path] = set = new SortedSet<string>(StringComparer.Ordinal);
            }

            set.UnionWith(accepted.HttpMethods);
        }

        return methods.ToFrozenDictionary(p => p.Key, p => string.Join(", ", p.Value), StringComparer.OrdinalIgnoreCase);
    }

    private static string Normalize(string? path) => "/" + (path ?? "").Trim('/');
}
