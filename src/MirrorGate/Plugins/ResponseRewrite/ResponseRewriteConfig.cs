using System.Text;
using System.Text.Json.Nodes;
using MirrorGate.Routing;

namespace MirrorGate.Plugins.ResponseRewrite;

/// <summary>response-rewrite compiled once per route: everything a request only reads.</summary>
internal sealed class ResponseRewriteConfig
{
    public int? StatusCode { get; init; }

    /// <summary>The replacement body (base64 already decoded); null keeps the upstream's.</summary>
    public byte[]? Body { get; init; }

    /// <summary>Non-null when the body is buffered and edited; never set together with <see cref="Body"/>.</summary>
    public IReadOnlyList<ResponseBodyFilter>? Filters { get; init; }

    public long MaxBodySize { get; init; } = 67108864;

    public VarsExpression? Vars { get; init; }

    public ResponseHeaderEdits? Headers { get; init; }

    /// <summary>Whether the body is replaced or edited, so the upstream's length and validators no longer hold.</summary>
    public bool ChangesBody => Body is not null || Filters is not null;

    public static ResponseRewriteConfig Compile(JsonObject config)
    {
        List<ResponseBodyFilter>? filters = null;
        if (config["filters"] is JsonArray entries)
        {
            filters = [];
            foreach (var entry in entries)
            {
                filters.Add(ResponseBodyFilter.TryCreate(
                    entry!["regex"]!.GetValue<string>(), entry["replace"]!.GetValue<string>(),
                    entry["scope"]?.GetValue<string>() ?? "once", entry["options"]?.GetValue<string>() ?? "jo", out _)
                    ?? throw new InvalidOperationException("filters were checked when the config was saved"));
            }
        }

        byte[]? body = null;
        if (config["body"]?.GetValue<string>() is { } text)
        {
            body = config["body_base64"]?.GetValue<bool>() == true ? Convert.FromBase64String(text) : Encoding.UTF8.GetBytes(text);
        }

        return new ResponseRewriteConfig
        {
            StatusCode = config["status_code"]?.GetValue<int>(),
            Body = body,
            Filters = filters,
            MaxBodySize = config["max_resp_body_size"]?.GetValue<long>() ?? 67108864,
            Vars = config["vars"] is JsonArray vars ? VarsExpression.Compile(vars) : null,
            Headers = config["headers"] is JsonObject headers ? ResponseHeaderEdits.Compile(headers) : null,
        };
    }
}
