namespace DeepSharp.Vision.Tests;

/// <summary>FolderWalker, the one folder walk of every command, on real folders and symbolic links.</summary>
public class FolderWalkerTests
{
    private static string Root()
    {
        string root = Path.Combine(Path.GetTempPath(), "deepsharp-walker-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "a", "deep", "er"));
        foreach (var f in new[] { "a/1.png", "a/deep/2.JPG", "a/deep/er/3.webp", "a/notes.txt", "top.png" })
            File.WriteAllBytes(Path.Combine(root, f), [1]);
        Directory.CreateDirectory(Path.Combine(root, "outside"));
        File.WriteAllBytes(Path.Combine(root, "outside", "x.png"), [1]);
        return root;
    }

    [Fact]
    public void LinksAreNotFollowed_UnlessAsked_AndEachRealFolderIsListedOnce()
    {
        string root = Root();
        try
        {
            string start = Path.Combine(root, "a");
            Directory.CreateSymbolicLink(Path.Combine(start, "self"), ".");
            Directory.CreateSymbolicLink(Path.Combine(start, "deep", "up"), "..");
            Directory.CreateSymbolicLink(Path.Combine(start, "root"), "/");
            Directory.CreateSymbolicLink(Path.Combine(start, "out"), Path.Combine(root, "outside"));

            var files = FolderWalker.ImageFiles(start, followLinks: false).Select(f => Path.GetRelativePath(start, f)).ToArray();
            Assert.Equal(["1.png", "deep/2.JPG", "deep/er/3.webp"], files);

            // Followed: the loops end (each real folder once) and the linked folder outside is read once.
            // ('/' is replaced by a link to the outside folder so the walk stays small.)
            Directory.Delete(Path.Combine(start, "root"));
            var followed = FolderWalker.ImageFiles(start, followLinks: true).Select(f => Path.GetRelativePath(start, f)).ToArray();
            Assert.Equal(["1.png", "deep/2.JPG", "deep/er/3.webp", "out/x.png"], followed);
            Assert.True(FolderWalker.LinksOutside(Path.Combine(start, "out"), start));
            Assert.False(FolderWalker.LinksOutside(Path.Combine(start, "self"), start));
            Assert.False(FolderWalker.LinksOutside(Path.Combine(start, "deep"), start));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void ADeepTreeIsWalkedWithoutRecursion()
    {
        string root = Path.Combine(Path.GetTempPath(), "deepsharp-walker-" + Guid.NewGuid().ToString("N"));
        try
        {
            string p = root;
            for (int i = 0; i < 200; i++) p = Path.Combine(p, "d");   // 200 levels, 400 characters of path
            Directory.CreateDirectory(p);
            File.WriteAllBytes(Path.Combine(p, "x.png"), [1]);
            Assert.Single(FolderWalker.ImageFiles(root, followLinks: false));
        }
        finally { Directory.Delete(root, recursive: true); }
    }
}
