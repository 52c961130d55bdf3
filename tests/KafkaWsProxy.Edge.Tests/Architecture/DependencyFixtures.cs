// Four tiny folders for EdgeFolderDependencyTests' check of its reader: each names another
// only where a reader of signatures alone would miss it (a lambda, an async method's body,
// a field initializer, a local). Alpha -> Beta -> Gamma -> Alpha is a cycle; Delta is outside it.
namespace KafkaWsProxy.Edge.Tests.Architecture.DependencyFixtures.Alpha
{
    internal static class AlphaUser
    {
        public static Func<int> UsesBetaInALambda() => () => Beta.BetaUser.Answer().Length;
    }
}

namespace KafkaWsProxy.Edge.Tests.Architecture.DependencyFixtures.Beta
{
    internal static class BetaUser
    {
        public static string Answer() => "beta";

        public static async Task<int> UsesGammaInAnAsyncBody()
        {
            await Task.Yield();
            return new Gamma.GammaThing().Value;
        }
    }
}

namespace KafkaWsProxy.Edge.Tests.Architecture.DependencyFixtures.Gamma
{
    internal sealed class GammaThing
    {
        private readonly Func<int> _alpha = Alpha.AlphaUser.UsesBetaInALambda();

        public int Value => _alpha is null ? 0 : 1;
    }
}

namespace KafkaWsProxy.Edge.Tests.Architecture.DependencyFixtures.Delta
{
    internal static class DeltaUser
    {
        public static int UsesAlphaInALocal()
        {
            Func<int>? local = Alpha.AlphaUser.UsesBetaInALambda();
            return local is null ? 0 : 1;
        }
    }
}
