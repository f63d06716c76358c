using Microsoft.AspNetCore.Http;
using MirrorGate.Stores;

namespace MirrorGate.Admin;

/// <summary>
/// APISIX v3's list paging: <c>page</c> (from 1) and <c>page_size</c> (10 to 500), in creation
/// order. Without either parameter a list is answered whole.
/// </summary>
internal readonly record struct AdminListPage(int Number, int Size)
{
    /// <summary>The page the query asks for (null: no paging), or the error text for a bad value.</summary>
    public static (AdminListPage? Page, string? Error) Read(IQueryCollection query)
    {
        if (!query.ContainsKey("page") && !query.ContainsKey("page_size"))
        {
            return (null, null);
        }

        var size = 10;
        if (query.ContainsKey("page_size") && (!int.TryParse(query["page_size"], out size) || size < 10 || size > 500))
        {
            return (null, "page_size must be between 10 and 500");
        }

        var number = 1;
        if (query.ContainsKey("page") && (!int.TryParse(query["page"], out number) || number < 1))
        {
            return (null, "page must be a positive integer");
        }

        return (new AdminListPage(number, size), null);
    }

    public List<StoredResource> Apply(IEnumerable<StoredResource> items)
        => items.OrderBy(i => i.CreatedIndex).Skip((Number - 1) * Size).Take(Size).ToList();

    /// <summary>
    /// Answers a list as APISIX v3 does: <c>{"list":[...],"total":N}</c>, N counting every item,
    /// the page the query asks for (400 for a bad one); <paramref name="view"/> gives each item's key and value.
    /// </summary>
    public static async Task WriteAsync(HttpContext http, IReadOnlyList<StoredResource> items, Func<StoredResource, (string Key, string Json)> view)
    {
        var (page, error) = Read(http.Request.Query);
        if (error is not null)
        {
            await AdminJson.ErrorAsync(http, 400, error).ConfigureAwait(false);
            return;
        }

        IReadOnlyList<StoredResource> shown = page is { } wanted ? wanted.Apply(items) : items;
        await AdminJson.WriteWithAsync(http, StatusCodes.Status200OK, w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("list");
            foreach (var item in shown)
            {
                var (key, json) = view(item);
                AdminJson.WriteItem(w, key, json, item.CreatedIndex, item.ModifiedIndex);
            }

            w.WriteEndArray();
            w.WriteNumber("total", items.Count);
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }
}
