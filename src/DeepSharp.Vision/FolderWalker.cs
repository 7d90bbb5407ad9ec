namespace DeepSharp.Vision;

/// <summary>
/// The one folder walk of the library and every command (train, predict, augment-preview, extract-features), with
/// Keras' <c>follow_links=False</c> rules made safe: a linked sub-folder is entered only when links are followed; each
/// real folder (by <c>realpath</c>) is listed once, so <c>ln -s . d/a</c> or <c>ln -s .. d/a/up</c> neither loops nor
/// repeats images; without following links nothing outside the starting folder is read (a sub-folder linked to
/// <c>/</c> is never entered). The walk is iterative, so a deep tree cannot overflow the stack.
/// </summary>
internal static class FolderWalker
{
    /// <summary>
    /// <paramref name="start"/> and the folders under it, sorted by path (ordinal). Folders whose real path is already in
    /// <paramref name="visited"/> are left out (and the ones listed are added to it).
    /// </summary>
    public static List<string> Folders(string start, bool followLinks, HashSet<string> visited)
    {
        var folders = new List<string>();
        var pending = new Stack<string>();
        pending.Push(start);
        bool first = true;
        while (pending.Count > 0)
        {
            string folder = pending.Pop();
            // The starting folder may already be marked visited by the caller (a class folder); it is listed anyway.
            if (!visited.Add(RealPath.Of(folder)) && !first) continue;
            first = false;
            folders.Add(folder);
            foreach (var sub in Directory.EnumerateDirectories(folder))
                if (followLinks || new DirectoryInfo(sub).LinkTarget is null) pending.Push(sub);
        }
        folders.Sort(StringComparer.Ordinal);
        return folders;
    }

    /// <summary>
    /// The image files (<paramref name="extensions"/>, default <see cref="DirectoryIterator.ImageExtensions"/>, any case)
    /// under <paramref name="start"/>: folders in sorted order, the files of each sorted (as Keras lists them).
    /// </summary>
    public static List<string> ImageFiles(string start, bool followLinks, HashSet<string>? visited = null, IReadOnlyList<string>? extensions = null)
    {
        var result = new List<string>();
        foreach (var folder in Folders(start, followLinks, visited ?? new HashSet<string>(StringComparer.Ordinal)))
            result.AddRange(Directory.EnumerateFiles(folder).Where(f => IsImage(f, extensions)).Order(StringComparer.Ordinal));
        return result;
    }

    /// <summary>Whether <paramref name="path"/> ends with an image extension (of <paramref name="extensions"/>, default
    /// <see cref="DirectoryIterator.ImageExtensions"/>).</summary>
    public static bool IsImage(string path, IReadOnlyList<string>? extensions = null)
    {
        foreach (var ext in extensions ?? DirectoryIterator.ImageExtensions)
            if (path.EndsWith(ext, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>
    /// Whether <paramref name="folder"/> is a link whose real path lies outside <paramref name="root"/>'s (a class folder
    /// linked to <c>/</c>): such a folder is entered only when links are followed.
    /// </summary>
    public static bool LinksOutside(string folder, string root)
    {
        if (new DirectoryInfo(folder).LinkTarget is null) return false;
        string real = RealPath.Of(folder), rootReal = RealPath.Of(root);
        return !(real == rootReal || real.StartsWith(rootReal.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal));
    }
}
