using System.Globalization;

namespace SiteBackup.Engine.Tests.Support;

/// <summary>
/// The loop of every test over generated input: cases from consecutive seeds for SITEBACKUP_FUZZ_SECONDS (20 by
/// default; raise it for a soak), at least three, starting from SITEBACKUP_FUZZ_SEED when given. A failure names the
/// seed that repeats it and the script that made the input.
/// </summary>
public static class FuzzLoop
{
    /// <param name="generate">Makes one case's script from its random source.</param>
    /// <param name="check">Builds the case from the script and asserts on it.</param>
    /// <param name="made">What the script made, for the failure message ("the file", "the tables").</param>
    public static async Task RunAsync(Func<Random, string> generate, Func<string, Task> check, string made)
    {
        double seconds = double.TryParse(Environment.GetEnvironmentVariable("SITEBACKUP_FUZZ_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) ? s : 20;
        int first = int.TryParse(Environment.GetEnvironmentVariable("SITEBACKUP_FUZZ_SEED"), out int given) ? given : Environment.TickCount & 0xFFFFFF;
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        for (int cases = 0; cases < 3 || DateTime.UtcNow < deadline; cases++)
        {
            int seed = first + cases;
            string script = generate(new Random(seed));
            try
            {
                await check(script);
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"seed {seed} (SITEBACKUP_FUZZ_SEED={seed} repeats it): {e.Message}\n--- {made} made by:\n{script}");
            }
        }
    }
}
