namespace DeepSharp;

/// <summary>
/// One table of Keras' names for one kind of object (activations, losses, metrics): each entry is a canonical name,
/// its aliases and a factory. <see cref="Resolve"/> is the one place a name becomes an object, and an unknown name gets
/// one error that lists every known name, so the lookup and its message cannot drift apart.
/// </summary>
internal sealed class KerasNames<T>(string what, string objectHint, params (string Name, string[] Aliases, Func<string, T> Create)[] entries)
{
    private readonly Dictionary<string, Func<string, T>> _byName = Index(entries);

    /// <summary>The canonical names, in the table's order.</summary>
    public IEnumerable<string> Names => entries.Select(e => e.Name);

    /// <summary>Whether <paramref name="name"/> (any case) is a name or alias of the table.</summary>
    public bool Contains(string? name) => name is not null && _byName.ContainsKey(name);

    /// <summary>The object for <paramref name="name"/> (case-insensitive); the factory receives the name as written.</summary>
    public T Resolve(string? name, string? context = null)
    {
        if (name is not null && _byName.TryGetValue(name, out var create)) return create(name);
        throw new ArgumentException($"{(context is null ? "" : context + ": ")}unknown {what} '{name}'. Known {what}s: {Listing()}{objectHint}.");
    }

    /// <summary>"a, b (alias c), ..." for messages.</summary>
    public string Listing() => string.Join(", ", entries.Select(e => e.Aliases.Length == 0 ? e.Name : $"{e.Name} ({string.Join(", ", e.Aliases)})"));

    private static Dictionary<string, Func<string, T>> Index((string Name, string[] Aliases, Func<string, T> Create)[] entries)
    {
        var d = new Dictionary<string, Func<string, T>>(StringComparer.OrdinalIgnoreCase);
        foreach (var e in entries)
            foreach (var n in e.Aliases.Prepend(e.Name)) d.Add(n, e.Create);
        return d;
    }
}
