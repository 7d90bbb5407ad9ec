using System.CommandLine;

namespace DeepSharp.Cli;

/// <summary>
/// Runs the parsed command line and turns every failure into one line on stderr: <c>error: what happened, what was
/// expected, what to do</c>. Exit codes: 0 success, 1 an error (bad file, unreadable data, training stopped), 2 a usage
/// error (unknown flag, bad flag value). The stack trace is printed only with <c>--verbose</c> anywhere on the command
/// line (or <c>DEEPSHARP_VERBOSE=1</c>). Every command added to the root inherits this handling.
/// </summary>
internal static class CliRunner
{
    /// <summary>Parses and invokes <paramref name="args"/>; never lets an exception escape.</summary>
    public static int Run(RootCommand root, string[] args, TextWriter? stderr = null)
    {
        var err = stderr ?? Console.Error;
        bool verbose = WantsStackTrace(args);
        AddVerboseOption(root);
        try
        {
            var parsed = root.Parse(args);
            if (parsed.Errors.Count > 0)
            {
                // One error line, however many flags are wrong (the first, then the others on the same line).
                var messages = parsed.Errors.Select(e => e.Message.ReplaceLineEndings(" ")).Distinct().ToList();
                err.WriteLine($"error: {messages[0]}{(messages.Count > 1 ? $" Also: {string.Join(" ", messages.Skip(1))}" : "")}");
                // The command's full name, e.g. "visualize filters".
                var names = new List<string>();
                for (var c = parsed.CommandResult; c is not null && c.Command is not RootCommand; c = c.Parent as System.CommandLine.Parsing.CommandResult)
                    names.Insert(0, c.Command.Name);
                string command = string.Join(' ', names);
                err.WriteLine($"Run 'deepsharp {command}{(command.Length > 0 ? " " : "")}--help' to see the options.");
                return 2;
            }
            FlagLimits.RequireFiniteFlags(parsed);   // NaN and ±inf for every float flag, before any command runs
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C (Interruption): Fit stopped between two batches; files are only written at epoch ends, atomically.
            err.WriteLine("Interrupted: training stopped between two batches; no file was left half-written.");
            return 130;
        }
        catch (Exception e)
        {
            return Report(e, verbose, err);
        }
    }

    /// <summary>
    /// <c>--verbose</c> (a flag on every command), or <c>DEEPSHARP_VERBOSE=1</c>.
    /// </summary>
    private static bool WantsStackTrace(string[] args)
    {
        if (Environment.GetEnvironmentVariable("DEEPSHARP_VERBOSE") is "1" or "true") return true;
        for (int i = 0; i < args.Length; i++)
            if (args[i] == "--verbose") return true;
        return false;
    }

    /// <summary>Writes one line for <paramref name="e"/> (and its stack trace when verbose); returns the exit code.</summary>
    internal static int Report(Exception e, bool verbose, TextWriter err)
    {
        e = Unwrap(e);
        err.WriteLine($"error: {Describe(e)}");
        if (verbose) err.WriteLine(e.ToString());
        else if (!IsUserError(e)) err.WriteLine("Run again with --verbose to see the stack trace, and please report it.");
        return e is UsageException ? 2 : 1;
    }

    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                case AggregateException { InnerExceptions.Count: 1 } a: e = a.InnerExceptions[0]; continue;
                case System.Reflection.TargetInvocationException { InnerException: { } inner }: e = inner; continue;
                default: return e;
            }
        }
    }

    /// <summary>The library's documented errors: their messages already say what happened and what to do.</summary>
    private static bool IsUserError(Exception e) => e is ArgumentException or IOException or InvalidDataException
        or UnauthorizedAccessException or InvalidOperationException or NotSupportedException or FormatException
        or Training.TrainingException or Vision.ImageDecodeException or OperationCanceledException;

    private static string Describe(Exception e)
    {
        if (e is OutOfMemoryException)
            return "out of memory. The input is larger than this machine can hold: use smaller images (--target-size), a smaller --batch-size, " +
                   "or check the input files for sizes they do not really have.";
        string message = e.Message;
        if (e is ArgumentException { ParamName: { } p } && message.EndsWith($" (Parameter '{p}')", StringComparison.Ordinal))
            message = message[..^$" (Parameter '{p}')".Length];
        message = message.ReplaceLineEndings(" ");
        return IsUserError(e) ? message : $"internal error ({e.GetType().Name}: {message}).";
    }

    private static void AddVerboseOption(RootCommand root)
    {
        // The same flag on every command (a command with its own --verbose would keep it).
        // Every command that runs (a leaf, e.g. `visualize filters`), however deeply nested.
        var pending = new Stack<Command>(root.Subcommands);
        while (pending.Count > 0)
        {
            var command = pending.Pop();
            foreach (var sub in command.Subcommands) pending.Push(sub);
            if (command.Subcommands.Count == 0 && !command.Options.Any(o => o.Name == "--verbose" || o.Aliases.Contains("--verbose")))
                command.Options.Add(new Option<bool>("--verbose") { Description = "print the stack trace of an error" });
        }
    }
}
