using System.Globalization;
using SiteBackup.WixStandIn;

// Runs the stand-in as its own process for the Pester tests:
//   dotnet WixStandIn.dll --key KEY --site SITE-ID --collection people --collection app:WIX_APP [--rate 200 --window 60]
//                          [--fail-every N] [--slow-every N --slow-seconds S]
// Prints "WIXSTANDIN_API=<api base>" once it listens, and stops when its standard input closes.
var options = new StandInOptions();
var collections = new List<(string Site, string Id, string Type)>();
string site = "";
for (int i = 0; i < args.Length; i++)
{
    string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--key": options.ApiKey = value; break;
        case "--site": site = value; break;
        case "--collection":
            string[] parts = value.Split(':', 2);
            collections.Add((site, parts[0], parts.Length > 1 ? parts[1] : "NATIVE"));
            break;
        case "--rate": options.RateLimit = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--window": options.RateWindow = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)); break;
        case "--fail-every": options.FailEvery = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--slow-every": options.SlowEvery = int.Parse(value, CultureInfo.InvariantCulture); break;
        case "--slow-seconds": options.SlowDelay = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)); break;
        default: throw new ArgumentException($"unknown option {args[i]}");
    }
    i++;
}

await using var server = new StandInServer(options);
foreach (var (s, id, type) in collections) server.Data.AddCollection(s, id, type);
await server.StartAsync();
Console.WriteLine($"WIXSTANDIN_API={server.ApiBase}");
await Console.In.ReadToEndAsync();
