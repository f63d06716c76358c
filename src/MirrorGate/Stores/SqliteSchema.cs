using Microsoft.Data.Sqlite;

namespace MirrorGate.Stores;

/// <summary>
/// The SQLite file's layout and the revision counter: one <c>resources</c> table keyed by
/// (kind, id) and one <c>meta</c> row holding the store's current revision.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>Bumped when the layout changes, so a later build can migrate an older file.</summary>
    public const int Version = 1;

    private const string RevisionKey = "revision";

    /// <summary>Sets the connection's durability pragmas and creates the tables if missing.</summary>
    public static async Task ApplyAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using (var pragmas = connection.CreateCommand())
        {
            // WAL persists in the file (readers then never block the writer); synchronous=FULL is
            // per connection and makes each commit fsync the WAL before returning.
            pragmas.CommandText = """
                PRAGMA journal_mode = WAL;
                PRAGMA synchronous = FULL;
                PRAGMA foreign_keys = OFF;
                """;
            await pragmas.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var transaction = connection.BeginTransaction(deferred: false);
        await using (var create = connection.CreateCommand())
        {
            create.Transaction = transaction;
            create.CommandText = $"""
                CREATE TABLE IF NOT EXISTS resources (
                    kind       TEXT    NOT NULL,
                    id         TEXT    NOT NULL,
                    json       TEXT    NOT NULL,
                    create_rev INTEGER NOT NULL,
                    mod_rev    INTEGER NOT NULL,
                    PRIMARY KEY (kind, id)
                ) WITHOUT ROWID;
                CREATE TABLE IF NOT EXISTS meta (
                    key   TEXT    NOT NULL PRIMARY KEY,
                    value INTEGER NOT NULL
                ) WITHOUT ROWID;
                INSERT OR IGNORE INTO meta (key, value) VALUES ('{RevisionKey}', 0);
                INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', {Version});
                """;
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    public static async Task<long> ReadRevisionAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT value FROM meta WHERE key = '{RevisionKey}'";
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is long revision ? revision : 0;
    }

    /// <summary>Increments the revision inside the caller's transaction and returns the new value.</summary>
    public static async Task<long> BumpRevisionAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"UPDATE meta SET value = value + 1 WHERE key = '{RevisionKey}' RETURNING value";
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is long revision
            ? revision
            : throw new InvalidOperationException("The store's meta table has no revision row.");
    }
}
