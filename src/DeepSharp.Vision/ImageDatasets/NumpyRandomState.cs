namespace DeepSharp.Vision;

/// <summary>
/// numpy's legacy <c>np.random.RandomState(seed).shuffle(x)</c>, bit for bit: MT19937 seeded with <c>init_genrand(seed)</c>
/// (numpy's <c>_legacy_seeding</c> for an integer seed), and the Fisher-Yates loop <c>for i in reversed(range(1, n)):
/// j = random_interval(i)</c>, where <c>random_interval</c> draws 32-bit words masked to the smallest 2^k - 1 ≥ i until
/// one is ≤ i (numpy/random/src/distributions/distributions.c). Keras' <c>index_directory</c> shuffles its file list
/// with it, so the listing and the validation split are the same files as Keras'.
/// </summary>
internal sealed class NumpyRandomState
{
    private const int N = 624, M = 397;
    private readonly uint[] _mt = new uint[N];
    private int _index;

    public NumpyRandomState(uint seed)
    {
        _mt[0] = seed;
        for (int i = 1; i < N; i++) _mt[i] = 1812433253u * (_mt[i - 1] ^ (_mt[i - 1] >> 30)) + (uint)i;
        _index = N;
    }

    public uint NextUInt32()
    {
        if (_index >= N)
        {
            for (int k = 0; k < N; k++)
            {
                uint y = (_mt[k] & 0x80000000u) | (_mt[(k + 1) % N] & 0x7fffffffu);
                _mt[k] = _mt[(k + M) % N] ^ (y >> 1) ^ ((y & 1u) != 0 ? 0x9908b0dfu : 0u);
            }
            _index = 0;
        }
        uint v = _mt[_index++];
        v ^= v >> 11;
        v ^= (v << 7) & 0x9d2c5680u;
        v ^= (v << 15) & 0xefc60000u;
        v ^= v >> 18;
        return v;
    }

    /// <summary>A uniform integer in [0, max] (numpy's random_interval for max &lt; 2^32).</summary>
    public uint Interval(uint max)
    {
        if (max == 0) return 0;
        uint mask = max;
        mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4; mask |= mask >> 8; mask |= mask >> 16;
        uint value;
        while ((value = NextUInt32() & mask) > max) { }
        return value;
    }

    /// <summary><c>RandomState(seed).shuffle(items)</c> in place.</summary>
    public static void Shuffle<T>(uint seed, IList<T> items)
    {
        var rng = new NumpyRandomState(seed);
        for (int i = items.Count - 1; i >= 1; i--)
        {
            int j = (int)rng.Interval((uint)i);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
