using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MirrorGate.Configuration;
using MirrorGate.Consumers;
using MirrorGate.Pipeline;
using MirrorGate.Plugins;
using MirrorGate.Resources;
using MirrorGate.Stores;

namespace MirrorGate.Server;

/// <summary>
/// <c>export</c> and <c>import</c>: every route, upstream, service, plugin config and global rule of the store a config.yaml
/// names (sqlite or etcd), as one JSON document. This is how a user moves from the embedded store
/// to etcd, or copies configuration between clusters. Messages go to standard error so an
/// export to standard output stays a clean document.
/// </summary>
internal static class StoreTransfer
{
    public static async Task<int> RunAsync(string[] args, IReadOnlyList<IConfigStoreProvider> providers)
    {
        if (args.Any(a => a is "-h" or "--help"))
        {
            await Console.Out.WriteLineAsync(TransferArguments.Usage).ConfigureAwait(false);
            return 0;
        }

        var arguments = TransferArguments.Parse(args, out var usageError);
        if (arguments is null)
        {
            await Console.Error.WriteLineAsync($"mirrorgate: {usageError}\n{TransferArguments.Usage}").ConfigureAwait(false);
            return Hosting.CommandLine.UsageExitCode;
        }

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var (config, _) = NodeConfigLoader.Load(arguments.ConfigPath);
            await using var services = BuildServices(config);
            if (arguments.IsExport)
            {
                await using var source = CreateStore(config, providers, services, mustExist: true);
                await source.InitializeAsync(cancel.Token).ConfigureAwait(false);
                return await ExportAsync(source, arguments, cancel.Token).ConfigureAwait(false);
            }

            var text = arguments.File == "-"
                ? await Console.In.ReadToEndAsync(cancel.Token).ConfigureAwait(false)
                : await File.ReadAllTextAsync(arguments.File!, cancel.Token).ConfigureAwait(false);

            // An embedded store that does not exist yet is validated as empty and created only
            // when there is something to write, so a dry run or a rejected import leaves no file.
            await using var store = EmbeddedStoreMissing(config) ? null : CreateStore(config, providers, services, mustExist: false);
            if (store is not null)
            {
                await store.InitializeAsync(cancel.Token).ConfigureAwait(false);
            }

            if (await ValidateAsync(text, store, config, arguments, cancel.Token).ConfigureAwait(false) is not { } items)
            {
                return 1;
            }

            if (arguments.DryRun)
            {
                await Console.Error.WriteLineAsync($"dry run: {Counts(items.GroupBy(i => i.Kind).ToDictionary(g => g.Key, g => g.Count()))} valid; nothing written to {Describe(store, config)}").ConfigureAwait(false);
                return 0;
            }

            await using var created = store is null ? CreateStore(config, providers, services, mustExist: false) : null;
            var target = store ?? created!;
            if (created is not null)
            {
                await created.InitializeAsync(cancel.Token).ConfigureAwait(false);
            }

            var written = await Importer(target, config).WriteAsync(items, cancel.Token).ConfigureAwait(false);
            await Console.Error.WriteLineAsync($"imported {Counts(written)} into {Describe(target, config)}").ConfigureAwait(false);
            return 0;
        }
        catch (Exception ex) when (ex is ConfigException or StoreUnavailableException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            await Console.Error.WriteLineAsync($"mirrorgate: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("mirrorgate: interrupted").ConfigureAwait(false);
            return 130;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static async Task<int> ExportAsync(IConfigStore store, TransferArguments arguments, CancellationToken cancellationToken)
    {
        // One read of everything: with etcd, a single revision, so the document is consistent.
        var contents = await store.LoadAllAsync(cancellationToken).ConfigureAwait(false);
        if (arguments.File is null or "-")
        {
            await using var stdout = Console.OpenStandardOutput();
            TransferDocument.Write(stdout, contents);
        }
        else
        {
            // Written beside the target and moved into place, so a failed export never leaves half a file.
            var target = Path.GetFullPath(arguments.File);
            var temporary = target + ".tmp";
            await using (var file = File.Create(temporary))
            {
                TransferDocument.Write(file, contents);
            }

            File.Move(temporary, target, overwrite: true);
        }

        await Console.Error.WriteLineAsync(
            $"exported {Counts(contents.Items.GroupBy(i => i.Kind).ToDictionary(g => g.Key, g => g.Count()))} from {store.Name} at {store.Location} (revision {contents.Revision})").ConfigureAwait(false);
        return 0;
    }

    /// <summary>Reads and validates the document; prints every problem and returns null when there is any.</summary>
    private static async Task<IReadOnlyList<TransferItem>?> ValidateAsync(string text, IConfigStore? store, NodeConfig config, TransferArguments arguments, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        var items = TransferDocument.Read(text, errors);
        if (errors.Count == 0)
        {
            errors.AddRange(await Importer(store, config).ValidateAsync(items, cancellationToken).ConfigureAwait(false));
        }

        if (errors.Count == 0)
        {
            return items;
        }

        foreach (var error in errors)
        {
            await Console.Error.WriteLineAsync($"mirrorgate: {error}").ConfigureAwait(false);
        }

        await Console.Error.WriteLineAsync($"mirrorgate: nothing imported: {errors.Count} invalid item(s) in {arguments.File}").ConfigureAwait(false);
        return null;
    }

    private static string Counts(IReadOnlyDictionary<ResourceKind, int> counts) =>
        string.Join(", ", TransferDocument.DocumentOrder
            .Select(k => $"{counts.GetValueOrDefault(k)} {k.Plural()}"))
        + (counts.GetValueOrDefault(ResourceKind.Credential) is > 0 and var credentials ? $" (and {credentials} credentials)" : "");

    private static ServiceProvider BuildServices(NodeConfig config)
    {
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(config);
        // Stores log their own trouble (retries, unreachable endpoints); warnings and up, on
        // standard error so an export to standard output stays clean.
        services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        return services.BuildServiceProvider();
    }

    private static TransferImporter Importer(IConfigStore? store, NodeConfig config) =>
        new(store, new PluginRegistry(BuiltInPlugins.Create(config), config.Plugins), TimeProvider.System, new FieldEncryption(config.DataEncryption));

    private static string Describe(IConfigStore? store, NodeConfig config) =>
        store is null ? $"sqlite at {config.Deployment.SqlitePath} (it does not exist yet)" : $"{store.Name} at {store.Location}";

    private static bool EmbeddedStoreMissing(NodeConfig config) =>
        config.Deployment.ConfigProvider == ConfigProvider.Sqlite && !File.Exists(config.Deployment.SqlitePath);

    private static IConfigStore CreateStore(NodeConfig config, IReadOnlyList<IConfigStoreProvider> providers, IServiceProvider services, bool mustExist)
    {
        var deployment = config.Deployment;
        if (deployment.ConfigProvider == ConfigProvider.Sqlite)
        {
            // Opening a missing file creates it: an export would show a typo in the path as an empty gateway.
            if (mustExist && !File.Exists(deployment.SqlitePath))
            {
                throw new ConfigException($"deployment.sqlite.path: no database at {deployment.SqlitePath}");
            }

            return new SqliteConfigStore(deployment.SqlitePath, services.GetRequiredService<ILogger<SqliteConfigStore>>());
        }

        var provider = providers.FirstOrDefault(p => p.Provider == deployment.ConfigProvider)
            ?? throw new ConfigException($"deployment.role_traditional.config_provider: {deployment.ConfigProvider.ToString().ToLowerInvariant()} is not available in this executable");
        return provider.Create(config, services);
    }
}
