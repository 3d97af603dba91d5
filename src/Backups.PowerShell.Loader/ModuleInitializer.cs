using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace SiteBackup.PowerShell.Loading;

/// <summary>
/// Runs when pwsh imports this nested module, which the manifest lists in NestedModules so that it comes before
/// the cmdlet assembly. The cmdlet assembly lives in pwsh's default load context, where the engine cannot be
/// found on purpose (it sits in lib/). When pwsh first needs the engine (to inspect the cmdlets' parameter and
/// output types), this handler loads it into the module's own context, and everything the engine needs (SQLite,
/// later Npgsql and Azure) comes from there too. Another module that loaded a different version of one of them
/// first is then never in the way.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string EngineAssembly = "Backups.Engine";

    public void OnImport() => AssemblyLoadContext.Default.Resolving += ResolveEngine;

    public void OnRemove(PSModuleInfo psModuleInfo) => AssemblyLoadContext.Default.Resolving -= ResolveEngine;

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name) =>
        string.Equals(name.Name, EngineAssembly, StringComparison.Ordinal)
            ? SiteBackupLoadContext.Instance.LoadFromAssemblyName(name)
            : null;
}
