using System.Xml.Linq;

namespace DeepSharp.Downloads;

/// <summary>
/// The package sources and global packages folder that <c>dotnet restore</c> would use from a folder: the NuGet.Config
/// files from that folder up to the root (the closest wins), then the user's <c>~/.nuget/NuGet/NuGet.Config</c>, with
/// <c>&lt;clear /&gt;</c>, <c>&lt;remove&gt;</c> and <c>disabledPackageSources</c> applied. Credentials are not read.
/// </summary>
internal static class NuGetConfig
{
    public const string NuGetOrg = "https://api.nuget.org/v3/index.json";
    private static readonly string[] FileNames = ["nuget.config", "NuGet.config", "NuGet.Config"];

    /// <summary>The config files that apply to <paramref name="folder"/>, closest first.</summary>
    public static List<string> Files(string folder)
    {
        var files = new List<string>();
        for (var dir = new DirectoryInfo(Path.GetFullPath(folder)); dir is not null; dir = dir.Parent)
            foreach (var name in FileNames)
            {
                string f = Path.Combine(dir.FullName, name);
                if (File.Exists(f) && !files.Contains(f)) { files.Add(f); break; }
            }
        string user = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "NuGet", "NuGet.Config");
        if (File.Exists(user) && !files.Contains(user)) files.Add(user);
        return files;
    }

    /// <summary>The enabled sources (nuget.org when no config names any) and the globalPackagesFolder setting, if any.</summary>
    public static (List<string> Sources, string? GlobalPackagesFolder) Read(string folder)
    {
        var sources = new List<KeyValuePair<string, string>>();
        var disabled = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string? globalPackages = null;
        bool anyConfig = false;
        var files = Files(folder);
        for (int i = files.Count - 1; i >= 0; i--)   // farthest first: a closer file's <clear /> drops what came before
        {
            XElement root;
            try { root = XDocument.Load(files[i]).Root!; }
            catch (Exception e) when (e is System.Xml.XmlException or IOException or UnauthorizedAccessException) { continue; }
            anyConfig = true;
            string dir = Path.GetDirectoryName(files[i])!;
            foreach (var element in root.Element("packageSources")?.Elements() ?? [])
            {
                string? key = (string?)element.Attribute("key");
                switch (element.Name.LocalName)
                {
                    case "clear": sources.Clear(); break;
                    case "remove" when key is not null: sources.RemoveAll(s => string.Equals(s.Key, key, StringComparison.OrdinalIgnoreCase)); break;
                    case "add" when key is not null && (string?)element.Attribute("value") is { Length: > 0 } value:
                        sources.RemoveAll(s => string.Equals(s.Key, key, StringComparison.OrdinalIgnoreCase));
                        sources.Add(new(key, IsUrl(value) ? value : Path.GetFullPath(Path.Combine(dir, value))));
                        break;
                }
            }
            foreach (var element in root.Element("disabledPackageSources")?.Elements("add") ?? [])
                if ((string?)element.Attribute("key") is { } key && string.Equals((string?)element.Attribute("value"), "true", StringComparison.OrdinalIgnoreCase))
                    disabled.Add(key);
            foreach (var element in root.Element("config")?.Elements("add") ?? [])
                if ((string?)element.Attribute("key") == "globalPackagesFolder" && (string?)element.Attribute("value") is { Length: > 0 } gp)
                    globalPackages = Path.GetFullPath(Path.Combine(dir, gp));
        }
        var enabled = sources.Where(s => !disabled.Contains(s.Key)).Select(s => s.Value).ToList();
        if (enabled.Count == 0 && !anyConfig) enabled.Add(NuGetOrg);
        return (enabled, globalPackages);
    }

    /// <summary>The NuGet global packages folder: the setting given, <c>$NUGET_PACKAGES</c>, NuGet.Config's globalPackagesFolder, else <c>~/.nuget/packages</c>.</summary>
    public static string GlobalPackagesFolder(string? configured) =>
        configured
        ?? (Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } np ? np : null)
        ?? Read(Directory.GetCurrentDirectory()).GlobalPackagesFolder
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    public static bool IsUrl(string source) =>
        source.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || source.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
}
