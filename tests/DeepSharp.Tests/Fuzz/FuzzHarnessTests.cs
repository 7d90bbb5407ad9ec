namespace DeepSharp.Tests.Fuzz;

/// <summary>The harness itself: a reader without regression files runs, a failing input is saved and replayed first.</summary>
public class FuzzHarnessTests
{
    private static readonly (string, byte[])[] Inputs = [("a", [1]), ("b", [2]), ("c", [3])];

    [Fact]
    public void ARunWithoutARegressionFolderChecksEveryInput()
    {
        string reader = $"selftest-absent-{Guid.NewGuid():N}";
        Assert.False(Directory.Exists(FuzzHarness.FixtureFolder(reader)));
        int ok = FuzzHarness.Check(reader, Inputs, 1 << 20,
            bytes => { if (bytes[0] == 2) throw new InvalidDataException("two"); }, typeof(InvalidDataException));
        Assert.Equal(2, ok);
        Assert.False(Directory.Exists(FuzzHarness.FixtureFolder(reader)));   // nothing failed, nothing saved
    }

    [Fact]
    public void AFailingInputIsSavedThenReplayedFirst()
    {
        string reader = $"selftest-saved-{Guid.NewGuid():N}";
        string folder = FuzzHarness.FixtureFolder(reader);
        try
        {
            var e = Assert.ThrowsAny<Exception>(() => FuzzHarness.Check(reader, Inputs, 1 << 20,
                bytes => { if (bytes[0] == 3) throw new IndexOutOfRangeException("raw"); }));
            Assert.Contains("undocumented IndexOutOfRangeException", e.Message);
            Assert.Equal([3], File.ReadAllBytes(Path.Combine(folder, "c.bin")));

            var seen = new List<byte>();
            FuzzHarness.Check(reader, [("d", [4])], 1 << 20, bytes => seen.Add(bytes[0]));
            Assert.Equal([3, 4], seen);   // the saved input first, then the new ones
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
