using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace SiteBackup.Engine.Tests.Support;

/// <summary>
/// What a SQLite file holds, as the sqlite3 shell (SQLite's own tool, not SiteBackup, not Microsoft.Data.Sqlite)
/// reports it: every table's rows with their rowids, each value's typeof() and its bytes (hex(), which gives TEXT in
/// the file's own encoding; REAL as %!.17g, exact), shadow tables included, and the file's own checks
/// (integrity_check, foreign_key_check, FTS integrity-check, rtreecheck) and settings. Two files with equal
/// fingerprints hold the same content, value for value and byte for byte.
/// </summary>
public static partial class SqliteJudge
{
    public static string Shell(string path, string sql)
    {
        var start = new ProcessStartInfo("sqlite3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-batch");
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        // Both outputs drained while the script is written: the shell answers as it reads, and a full pipe would
        // otherwise stop both sides.
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(sql);
        process.StandardInput.Close();
        process.WaitForExit();
        string error = errors.Result;
        if (process.ExitCode != 0 || error.Length > 0) throw new InvalidOperationException($"sqlite3 failed on {path}: {error}\n{sql[..Math.Min(sql.Length, 2000)]}");
        return output.Result;
    }

    /// <summary>Makes a file with the sqlite3 shell from a script.</summary>
    public static void Create(string path, string sql) => Shell(path, sql);

    private static readonly string[] RowidNames = ["rowid", "oid", "_rowid_"];

    private sealed record Table(string Name, string Type, bool WithoutRowid, string? Sql);

    /// <summary>Every table, virtual table and shadow table of the file (names and statements in hex, so that any
    /// character they hold comes through the shell's list output).</summary>
    private static List<Table> Tables(string path)
    {
        // hex() gives text in the file's own encoding.
        var encoding = Shell(path, "PRAGMA encoding;\n").Trim() switch
        {
            "UTF-16le" => Encoding.Unicode,
            "UTF-16be" => Encoding.BigEndianUnicode,
            _ => Encoding.UTF8,
        };
        string FromHex(string hex) => encoding.GetString(Convert.FromHexString(hex));
        return Shell(path, ".mode list\n.separator \"|\" \"\\n\"\nSELECT hex(l.name), l.type, l.wr, hex(coalesce(s.sql, '')) FROM pragma_table_list AS l LEFT JOIN sqlite_schema AS s ON s.name = l.name WHERE l.schema = 'main' AND l.type IN ('table', 'virtual', 'shadow') ORDER BY l.name;\n")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(row => row.Split('|'))
            .Select(f => new Table(FromHex(f[0]), f[1], f[2] == "1", f[3].Length == 0 ? null : FromHex(f[3])))
            .ToList();
    }

    /// <summary>The fingerprint. The shadow tables of an FTS index over another table's content are left to its
    /// integrity-check: a rebuilt index may lay its segments out afresh.</summary>
    public static string Fingerprint(string path)
    {
        var tables = Tables(path);
        var rebuilt = tables.Where(t => t.Type == "virtual" && IsExternalContentFts(t.Sql)).Select(t => t.Name).ToList();
        var script = new StringBuilder(".mode list\n.separator \"|\" \"\\n\"\n.headers off\n");
        foreach (var table in tables)
        {
            if (table.Name.StartsWith("sqlite_", StringComparison.Ordinal) && table.Name is not ("sqlite_sequence" or "sqlite_stat1")) continue;
            if (table.Type == "shadow" && rebuilt.Any(r => table.Name.StartsWith(r + "_", StringComparison.OrdinalIgnoreCase))) continue;
            var columns = Shell(path, $".mode list\nSELECT name FROM pragma_table_xinfo('{table.Name.Replace("'", "''", StringComparison.Ordinal)}') WHERE hidden = 0;\n")
                .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
            string? rowid = table.WithoutRowid ? null : RowidNames.FirstOrDefault(r => !columns.Contains(r, StringComparer.OrdinalIgnoreCase));
            var values = columns.Select(c => Quote(c)).Select(c => $"typeof({c}) || ':' || CASE typeof({c}) WHEN 'real' THEN printf('%!.17g', {c}) ELSE hex({c}) END");
            var selected = (rowid is null ? values : values.Prepend(rowid)).DefaultIfEmpty("'(no columns)'");
            string order = rowid ?? string.Join(", ", Enumerable.Range(1, Math.Max(1, columns.Count)));
            script.Append($"SELECT '-- {table.Name.Replace("'", "''", StringComparison.Ordinal)} ({table.Type})';\n");
            script.Append($"SELECT {string.Join(", ", selected)} FROM {Quote(table.Name)} ORDER BY {order};\n");
        }
        script.Append("SELECT '-- checks';\nPRAGMA integrity_check;\nPRAGMA foreign_key_check;\n");
        foreach (var table in tables.Where(t => t.Type == "virtual"))
        {
            string module = ModuleOf(table.Sql);
            if (module is "fts5" or "fts4" or "fts3")
                script.Append($"INSERT INTO {Quote(table.Name)} ({Quote(table.Name)}) VALUES ('integrity-check');\nSELECT '{table.Name} integrity-check ok';\n");
            else if (module is "rtree" or "rtree_i32")
                script.Append($"SELECT rtreecheck('{table.Name}');\n");
        }
        script.Append("SELECT '-- settings';\nPRAGMA encoding;\nPRAGMA page_size;\nPRAGMA auto_vacuum;\nPRAGMA user_version;\nPRAGMA application_id;\nPRAGMA journal_mode;\n");
        return Shell(path, script.ToString());
    }

    /// <summary>sqlite3's own dump of a file, rowids preserved. FTS indexes over another table's content are rebuilt
    /// first, in a copy: a restore rebuilds them, and that is the layout to compare with.</summary>
    public static string Dump(string path)
    {
        string copy = path + ".judged";
        File.Copy(path, copy, overwrite: true);
        try
        {
            var rebuilt = Tables(copy).Where(t => t.Type == "virtual" && IsExternalContentFts(t.Sql)).ToList();
            if (rebuilt.Count > 0)
                Shell(copy, string.Concat(rebuilt.Select(t => $"INSERT INTO {Quote(t.Name)} ({Quote(t.Name)}) VALUES ('rebuild');\n")));
            return Shell(copy, ".dump --preserve-rowids\n");
        }
        finally
        {
            File.Delete(copy);
        }
    }

    public static bool IsExternalContentFts(string? sql) =>
        sql is not null && ModuleOf(sql) is "fts3" or "fts4" or "fts5" && ContentOption().Match(sql) is { Success: true } m && m.Groups[1].Value.Trim('\'', '"') .Length > 0;

    private static string ModuleOf(string? sql) => sql is not null && UsingModule().Match(sql) is { Success: true } m ? m.Groups[1].Value.ToLowerInvariant() : "";

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    [GeneratedRegex(@"\bUSING\s+([A-Za-z0-9_]+)", RegexOptions.IgnoreCase)]
    private static partial Regex UsingModule();

    [GeneratedRegex(@"[(,]\s*content\s*=\s*('[^']*'|""[^""]*""|[^,)\s]*)", RegexOptions.IgnoreCase)]
    private static partial Regex ContentOption();
}
