using System.Globalization;
using SiteBackup.WixStandIn;

// Runs the stand-in as its own process for the Pester tests:
//   dotnet WixStandIn.dll --key KEY --site SITE-ID --collection people --collection app:WIX_APP [--rate 200 --window 60]
//                          [--fail-every N] [--slow-every N --slow-seconds S]
//                          [--backup-seconds S] [--restore-seconds S] [--fail-next-backup true] [--fail-next-restore true]
// Prints "WIXSTANDIN_API=<api base>" once it listens. Each line then read from its standard input changes options
// as the command line does ("--backup-seconds 30 --fail-next-backup true"), and is answered "OK" (or "ERROR <why>")
// once the change holds; it stops when its standard input closes.
var options = new StandInOptions();
var collections = new List<(string Site, string Id, string Type)>();
string site = "";
Apply(args, options, (name, value) =>
{
    switch (name)
    {
        case "--key": options.ApiKey = value; return true;
        case "--site": site = value; return true;
        case "--collection":
            string[] parts = value.Split(':', 2);
            collections.Add((site, parts[0], parts.Length > 1 ? parts[1] : "NATIVE"));
            return true;
        default: return false;
    }
});

await using var server = new StandInServer(options);
foreach (var (s, id, type) in collections) server.Data.AddCollection(s, id, type);
await server.StartAsync();
Console.WriteLine($"WIXSTANDIN_API={server.ApiBase}");
while (await Console.In.ReadLineAsync() is { } line)
{
    try
    {
        server.Change(changed => Apply(line.Split(' ', StringSplitOptions.RemoveEmptyEntries), changed, (_, _) => false));
        Console.WriteLine("OK");
    }
    catch (Exception e) when (e is ArgumentException or FormatException)
    {
        Console.WriteLine($"ERROR {e.Message}");
    }
}

// Sets the options named in args ("--name value" pairs); names it does not know go to other, which says whether it took them.
static void Apply(string[] args, StandInOptions options, Func<string, string, bool> other)
{
    for (int i = 0; i < args.Length; i += 2)
    {
        string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
        double Seconds() => double.Parse(value, CultureInfo.InvariantCulture);
        switch (args[i])
        {
            case "--rate": options.RateLimit = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "--window": options.RateWindow = TimeSpan.FromSeconds(Seconds()); break;
            case "--fail-every": options.FailEvery = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "--slow-every": options.SlowEvery = int.Parse(value, CultureInfo.InvariantCulture); break;
            case "--slow-seconds": options.SlowDelay = TimeSpan.FromSeconds(Seconds()); break;
            case "--backup-seconds": options.BackupDuration = TimeSpan.FromSeconds(Seconds()); break;
            case "--restore-seconds": options.RestoreDuration = TimeSpan.FromSeconds(Seconds()); break;
            case "--fail-next-backup": options.FailNextBackup = bool.Parse(value); break;
            case "--fail-next-restore": options.FailNextRestore = bool.Parse(value); break;
            default:
                if (!other(args[i], value)) throw new ArgumentException($"unknown option {args[i]}");
                break;
        }
    }
}
