namespace MirrorGate.Server;

/// <summary>
/// <c>export -c CONFIG [--out FILE]</c> or <c>import -c CONFIG --in FILE [--dry-run]</c>.
/// Without <c>--out</c> the document goes to standard output; <c>--in -</c> reads standard input.
/// </summary>
internal sealed record TransferArguments(bool IsExport, string ConfigPath, string? File, bool DryRun)
{
    public const string Usage =
        "usage: " + Hosting.CommandLine.ExportUsage + "\n" +
        "       " + Hosting.CommandLine.ImportUsage;

    /// <summary>Parses the arguments; returns null and sets <paramref name="error"/> when they are wrong.</summary>
    public static TransferArguments? Parse(string[] args, out string? error)
    {
        error = null;
        var isExport = args[0] == "export";
        var configPath = Configuration.NodeConfigLoader.DefaultPath;
        string? file = null;
        var dryRun = false;
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "-c" or "--config":
                case "--out" when isExport:
                case "--in" when !isExport:
                    if (i + 1 >= args.Length)
                    {
                        error = $"{arg} needs a path";
                        return null;
                    }

                    if (arg is "-c" or "--config")
                    {
                        configPath = args[++i];
                    }
                    else
                    {
                        file = args[++i];
                    }

                    break;
                case "--dry-run" when !isExport:
                    dryRun = true;
                    break;
                default:
                    error = $"unknown argument for {args[0]}: {arg}";
                    return null;
            }
        }

        if (!isExport && file is null)
        {
            error = "import needs --in FILE (the document written by export)";
            return null;
        }

        return new TransferArguments(isExport, configPath, file, dryRun);
    }
}
