namespace DeepSharp.Tests.Fuzz;

/// <summary>
/// Runs a reader over mutants and checks the fuzzing property: every input either reads or fails with one of the
/// reader's documented exception types, and no input makes the reader allocate more than a bound (measured with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/>, so the reader runs on the test's thread). An input that breaks
/// the property is saved under tests/fixtures/fuzz/&lt;reader&gt;/ (kept as a regression file) and fails the test.
/// </summary>
internal static class FuzzHarness
{
    /// <summary>
    /// tests/fixtures/fuzz/&lt;reader&gt; in the source tree (the regression files are read from there, not copied).
    /// Test binaries run outside a checkout have none to replay; a failing input is then saved under the temp folder.
    /// </summary>
    public static string FixtureFolder(string reader)
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !Directory.Exists(Path.Combine(dir, "tests", "fixtures")))
            dir = Path.GetDirectoryName(dir);
        return dir is null
            ? Path.Combine(Path.GetTempPath(), "deepsharp-fuzz", reader)
            : Path.Combine(dir, "tests", "fixtures", "fuzz", reader);
    }

    /// <summary>
    /// Runs <paramref name="count"/> mutants of <paramref name="seeds"/> (seeded by <paramref name="seed"/>) through
    /// <paramref name="read"/>, after the saved regression files. Returns how many read successfully.
    /// </summary>
    public static int Run(string reader, IReadOnlyList<byte[]> seeds, int seed, int count, long maxAllocatedBytes,
        Action<byte[]> read, params Type[] documented) =>
        Check(reader, Mutants(seeds, seed, count), maxAllocatedBytes, read, documented);

    /// <summary>The mutants, named "seed&lt;seed&gt;-&lt;index&gt;-&lt;mutations&gt;".</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> Mutants(IReadOnlyList<byte[]> seeds, int seed, int count)
    {
        var mutator = new Mutator(seed, seeds);
        for (int i = 0; i < count; i++)
        {
            var bytes = mutator.Next();
            yield return ($"seed{seed}-{i}-{mutator.LastKind}", bytes);
        }
    }

    /// <summary>Checks the property on the regression files of <paramref name="reader"/>, then on <paramref name="inputs"/>.</summary>
    public static int Check(string reader, IEnumerable<(string Name, byte[] Bytes)> inputs, long maxAllocatedBytes,
        Action<byte[]> read, params Type[] documented) => Check(reader, inputs, maxAllocatedBytes, null, read, documented);

    /// <summary>
    /// As above; <paramref name="knownSpike"/> names rejections whose allocation may exceed the bound (a known limitation
    /// of a library underneath) — they are still bounded by one array (2 GiB) and are counted in <see cref="Spikes"/>.
    /// </summary>
    public static int Check(string reader, IEnumerable<(string Name, byte[] Bytes)> inputs, long maxAllocatedBytes,
        Func<Exception, bool>? knownSpike, Action<byte[]> read, params Type[] documented) =>
        Check(reader, inputs, _ => maxAllocatedBytes, knownSpike, read, documented);

    /// <summary>As above, with a bound computed per input (e.g. from the size an image header declares, itself limited).</summary>
    public static int Check(string reader, IEnumerable<(string Name, byte[] Bytes)> inputs, Func<byte[], long> bound,
        Func<Exception, bool>? knownSpike, Action<byte[]> read, params Type[] documented)
    {
        int ok = 0;
        var all = Regressions(reader).Select(f => (Name: Path.GetFileNameWithoutExtension(f), Bytes: File.ReadAllBytes(f))).Concat(inputs);
        foreach (var (name, bytes) in all)
        {
            string? failure = null;
            bool spike = false;
            long maxAllocatedBytes = bound(bytes);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                read(bytes);
                ok++;
            }
            catch (Exception e) when (documented.Any(t => t.IsInstanceOfType(e)))
            {
                if (e.Message.Length == 0) failure = $"{e.GetType().Name} with an empty message";
                spike = knownSpike?.Invoke(e) == true;
            }
            catch (Exception e)
            {
                failure = $"undocumented {e.GetType().Name}: {e.Message}\n{e.StackTrace}";
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (failure is null && allocated > maxAllocatedBytes)
            {
                if (spike && allocated <= (long)int.MaxValue + maxAllocatedBytes) Interlocked.Increment(ref _spikes);
                else failure = $"allocated {allocated:N0} bytes (bound {maxAllocatedBytes:N0})";
            }
            if (failure is not null)
            {
                string saved = Save(reader, name, bytes);
                Assert.Fail($"{reader} input {name} (saved as {saved}): {failure}");
            }
        }
        return ok;
    }

    private static int _spikes;

    /// <summary>How many known-limitation spikes the checks have seen in this process.</summary>
    public static int Spikes => _spikes;

    private static IEnumerable<string> Regressions(string reader)
    {
        string dir = FixtureFolder(reader);
        return Directory.Exists(dir) ? Directory.GetFiles(dir, "*.bin").Order(StringComparer.Ordinal) : [];
    }

    private static string Save(string reader, string name, byte[] bytes)
    {
        string dir = FixtureFolder(reader);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, name + ".bin");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
