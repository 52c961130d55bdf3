namespace KafkaWsProxy.Bridge.Sessions;

/// <summary>Why the registry refused a claim (a granted claim has none).</summary>
internal enum ClaimRefusal
{
    /// <summary>The scope already holds as many other members as its limit allows.</summary>
    LimitReached,

    /// <summary>The claim was removed or expired before its bridge read it back; a retry may succeed.</summary>
    ClaimLost,
}
