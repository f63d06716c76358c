using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace MirrorGate.Resources.Validation;

/// <summary>
/// APISIX adds a <c>_meta</c> property (disable, error_response, priority, filter, pre_function)
/// to every plugin's schema when it loads the plugin; configs are checked, and the schema is
/// served by <c>GET /apisix/admin/plugins/{name}</c>, with it.
/// </summary>
internal static class PluginSchemaMeta
{
    public const string Comment = "this is a mark for our injected plugin schema";

    // Copies are made once per schema instance; the hot path (re-validating every route on a
    // snapshot build) then costs no allocation. Entries go away with their source schema.
    private static readonly ConditionalWeakTable<JsonObject, JsonObject> Cache = new();

    /// <summary>A copy of <paramref name="pluginSchema"/> with <c>_meta</c> and the <c>$comment</c> mark. Shared: do not mutate.</summary>
    public static JsonObject WithMeta(JsonObject pluginSchema) => Cache.GetValue(pluginSchema, Inject);

    private static JsonObject Inject(JsonObject pluginSchema)
    {
        var copy = (JsonObject)pluginSchema.DeepClone();
        ResourceSchemas.Materialize(copy);
        // Already injected (APISIX checks the same mark): nothing to add.
        if (JsonNodes.TryString(copy["$comment"], out var mark) && mark == Comment) return copy;

        if (copy["properties"] is not JsonObject properties)
        {
            properties = [];
            copy["properties"] = properties;
        }

        properties["_meta"] = MetaSchema();
        copy["$comment"] = Comment;
        return copy;
    }

    private static JsonObject MetaSchema() => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["disable"] = new JsonObject { ["type"] = "boolean" },
            ["error_response"] = new JsonObject
            {
                ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "string" }, new JsonObject { ["type"] = "object" }),
            },
            ["priority"] = new JsonObject
            {
                ["description"] = "priority of plugins by customized order",
                ["type"] = "integer",
            },
            ["filter"] = new JsonObject
            {
                ["description"] = "filter determines whether the plugin needs to be executed at runtime",
                ["type"] = "array",
            },
            ["pre_function"] = new JsonObject
            {
                ["description"] = "function to be executed in each phase before execution of plugins. The pre_function will have access to two arguments: `conf` and `ctx`.",
                ["type"] = "string",
            },
        },
        ["additionalProperties"] = false,
    };
}
