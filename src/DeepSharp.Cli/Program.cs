// deepsharp: the command-line front end. Each sub-command lives in Commands/.
using System.CommandLine;
using DeepSharp.Cli.Commands;

var root = new RootCommand("DeepSharp: Keras-style convnets in C#, fast on a plain CPU.")
{
    MnistCommand.Create(),
};
return root.Parse(args).Invoke();
