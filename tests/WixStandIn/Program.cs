using System.Globalization;
using SiteBackup.WixStandIn;

// Runs the stand-in as its own process for the Pester tests:
//   dotnet WixStandIn.dll --key KEY --site SITE-ID --collection people --collection app:WIX_APP [--rate 200 --window 60]
//                          [--fail-every N] [--slow-every N --slow-seconds S]
//                          [--backup-seconds S] [--restore-seconds S] [--fail-next-backup true] [--fail-next-restore true]
// Prints "WIXSTANDIN_API=<api base>" once it listens. Each line then read from its standard input changes the Backups
// API's options as the command line does ("--backup-seconds 30 --fail-next-backup true"), all of them or none, and is
// answered "OK" (or "ERROR <why>") once the change holds; it stops when its standard input closes.
var options = new StandInOptions();
var collections = new List<(string Site, string Id, string Type)>();
string site = "";
foreach (var change in Parse(args, startOnly: (name, value) =>
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
}))
    change(options);

await using var server = new StandInServer(options);
foreach (var (s, id, type) in collections) server.Data.AddCollection(s, id, type);
await server.StartAsync();
Console.WriteLine($"WIXSTANDIN_API={server.ApiBase}");
while (await Console.In.ReadLineAsync() is { } line)
{
    try
    {
        // The whole line is read before anything changes; only what the Backups API reads under its lock may change.
        var changes = Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries), startOnly: null);
        server.Change(changed => changes.ForEach(change => change(changed)));
        Console.WriteLine("OK");
    }
    catch (Exception e) when (e is ArgumentException or FormatException)
    {
        Console.WriteLine($"ERROR {e.Message}");
    }
}

// The option changes that args ("--name value" pairs) ask for. The Backups API's options can change at any time; the
// others only at start (startOnly takes them, and the names it knows; null: none are taken).
static List<Action<StandInOptions>> Parse(string[] args, Func<string, string, bool>? startOnly)
{
    var changes = new List<Action<StandInOptions>>();
    for (int i = 0; i < args.Length; i += 2)
    {
        string name = args[i];
        string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{name} needs a value");
        TimeSpan Seconds() => TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture));
        int Number() => int.Parse(value, CultureInfo.InvariantCulture);
        switch (name)
        {
            case "--backup-seconds": { var s = Seconds(); changes.Add(o => o.BackupDuration = s); break; }
            case "--restore-seconds": { var s = Seconds(); changes.Add(o => o.RestoreDuration = s); break; }
            case "--fail-next-backup": { bool b = bool.Parse(value); changes.Add(o => o.FailNextBackup = b); break; }
            case "--fail-next-restore": { bool b = bool.Parse(value); changes.Add(o => o.FailNextRestore = b); break; }
            case "--rate" when startOnly is not null: { int n = Number(); changes.Add(o => o.RateLimit = n); break; }
            case "--window" when startOnly is not null: { var s = Seconds(); changes.Add(o => o.RateWindow = s); break; }
            case "--fail-every" when startOnly is not null: { int n = Number(); changes.Add(o => o.FailEvery = n); break; }
            case "--slow-every" when startOnly is not null: { int n = Number(); changes.Add(o => o.SlowEvery = n); break; }
            case "--slow-seconds" when startOnly is not null: { var s = Seconds(); changes.Add(o => o.SlowDelay = s); break; }
            default:
                if (startOnly is null || !startOnly(name, value)) throw new ArgumentException($"unknown option {name}");
                break;
        }
    }
    return changes;
}
