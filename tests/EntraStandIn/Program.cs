using System.Security.Cryptography.X509Certificates;
using SiteBackup.EntraStandIn;

// Runs the stand-in for the Pester tests:
//   dotnet EntraStandIn.dll --cert CERT.pem --key KEY.pem --identity-header H --client-id ID --client-secret S --log FILE
// Prints "ENTRASTANDIN_HTTP=<base>" and "ENTRASTANDIN_HTTPS=<base>" once it listens, and stops when its standard
// input closes.
var options = new StandInOptions();
string? cert = null, key = null;
for (int i = 0; i < args.Length; i += 2)
{
    string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--cert": cert = value; break;
        case "--key": key = value; break;
        case "--identity-header": options.IdentityHeader = value; break;
        case "--client-id": options.ClientId = value; break;
        case "--client-secret": options.ClientSecret = value; break;
        case "--log": options.LogPath = value; break;
        default: throw new ArgumentException($"unknown option {args[i]}");
    }
}
if (cert is null || key is null) throw new ArgumentException("--cert and --key are needed: the authority is served over HTTPS");

await using var server = new TokenServer(options, X509Certificate2.CreateFromPemFile(cert, key));
await server.StartAsync();
Console.WriteLine($"ENTRASTANDIN_HTTP={server.HttpBase}");
Console.WriteLine($"ENTRASTANDIN_HTTPS={server.HttpsBase}");
await Console.In.ReadToEndAsync();
