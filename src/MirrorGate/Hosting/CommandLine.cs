namespace MirrorGate.Hosting;

/// <summary>
/// The gateway's own arguments: <c>--config PATH</c> (short <c>-c</c>). Everything else is passed to
/// the ASP.NET Core host (for example <c>--Logging:LogLevel:Default=Warning</c>).
/// </summary>
internal sealed record CommandLine(string ConfigPath, string[] HostArgs)
{
    public static CommandLine Parse(string[] args)
    {
        var configPath = Configuration.NodeConfigLoader.DefaultPath;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-c" or "--config")
            {
                if (i + 1 >= args.Length)
                {
                    throw new Configuration.ConfigException($"{arg} needs a path, e.g. {arg} conf/config.yaml");
                }

                configPath = args[++i];
            }
            else if (arg.StartsWith("--config=", StringComparison.Ordinal))
            {
                configPath = arg["--config=".Length..];
            }
            else
            {
                rest.Add(arg);
            }
        }

        return new CommandLine(configPath, rest.ToArray());
    }
}
