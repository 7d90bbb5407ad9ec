Console.WriteLine("deepsharp");
