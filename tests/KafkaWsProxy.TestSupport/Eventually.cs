namespace KafkaWsProxy.TestSupport;

/// <summary>Waits on a condition with a deadline (tests never sleep a fixed time).</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var delay = TimeSpan.FromMilliseconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for: {what}");
            }

            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 200));
        }
    }

    /// <summary>Retries an attempt that fails with <typeparamref name="TFailure"/> until it succeeds or the deadline passes.</summary>
    public static async Task<T> SucceedsAsync<T, TFailure>(Func<Task<T>> attempt, string what, TimeSpan? timeout = null)
        where TFailure : Exception
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (TFailure) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(delay);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 500));
            }
            catch (TFailure e)
            {
                throw new TimeoutException($"Timed out waiting for: {what}", e);
            }
        }
    }
}
