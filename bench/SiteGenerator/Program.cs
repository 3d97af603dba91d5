using Microsoft.Data.Sqlite;
using SiteBackup.SiteGenerator;

// Usage:
//   SiteGenerator generate <path> [--items N] [--seed S] [--shape shop|notes]
//                                                           a new database of N items: a shop over four tables, or
//                                                           one table of text-heavy notes
//   SiteGenerator sql <path> <statement>                    runs SQL; prints rows as pipe-separated quote() values
//   SiteGenerator fingerprint <path>                        one line per table: name, rows, SHA-256 of its content
try
{
    return args switch
    {
        ["generate", var path, .. var rest] => Commands.Generate(path, Option(rest, "--items", 3000), Option(rest, "--seed", 1), Text(rest, "--shape", "shop")),
        ["sql", var path, var sql] => Commands.Sql(path, sql),
        ["fingerprint", var path] => Commands.Fingerprint(path),
        _ => Usage(),
    };
}
catch (SqliteException e)
{
    Console.Error.WriteLine(e.Message);
    return 1;
}

static int Option(string[] args, string name, int fallback)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
}

static string Text(string[] args, string name, string fallback)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
}

static int Usage()
{
    Console.Error.WriteLine("usage: SiteGenerator generate <path> [--items N] [--seed S] [--shape shop|notes] | sql <path> <statement> | fingerprint <path>");
    return 2;
}
