using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace SiteBackup.PowerShell.Loading;

/// <summary>
/// The module's own load context: managed assemblies from lib/, native libraries from
/// lib/runtimes/&lt;rid&gt;/native/. Framework assemblies are not in lib/ and fall through to pwsh's own.
/// pwsh does not probe a module's runtimes/ folder for native libraries, so this context does it.
/// </summary>
internal sealed class SiteBackupLoadContext : AssemblyLoadContext
{
    private static readonly string LibFolder =
        Path.Combine(Path.GetDirectoryName(typeof(SiteBackupLoadContext).Assembly.Location)!, "lib");

    public static SiteBackupLoadContext Instance { get; } = new();

    private SiteBackupLoadContext() : base("SiteBackup", isCollectible: false) { }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        string path = Path.Combine(LibFolder, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        foreach (string rid in RuntimeIds())
        {
            string folder = Path.Combine(LibFolder, "runtimes", rid, "native");
            foreach (string file in NativeFileNames(unmanagedDllName))
            {
                string path = Path.Combine(folder, file);
                if (File.Exists(path)) return LoadUnmanagedDllFromPath(path);
            }
        }
        return IntPtr.Zero;
    }

    /// <summary>The runtime ids to probe, most specific first: "linux-musl-x64" before "linux-x64", say.</summary>
    private static IEnumerable<string> RuntimeIds()
    {
        yield return RuntimeInformation.RuntimeIdentifier;
        string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        if (OperatingSystem.IsWindows()) yield return "win-" + arch;
        else if (OperatingSystem.IsMacOS()) yield return "osx-" + arch;
        else yield return "linux-" + arch;
    }

    /// <summary>A library asked for as "e_sqlite3" is libe_sqlite3.so on Linux, libe_sqlite3.dylib on macOS and
    /// e_sqlite3.dll on Windows.</summary>
    private static IEnumerable<string> NativeFileNames(string name)
    {
        yield return name;
        if (OperatingSystem.IsWindows()) yield return name + ".dll";
        else if (OperatingSystem.IsMacOS()) { yield return "lib" + name + ".dylib"; yield return name + ".dylib"; }
        else { yield return "lib" + name + ".so"; yield return name + ".so"; }
    }
}
