using System.Text.Json.Nodes;

namespace MirrorGate.Plugins.Limiting;

/// <summary>A limit-* plugin's refusal body: <c>{"error_msg":rejected_msg}</c> as APISIX, or none (the gateway's error page).</summary>
internal static class LimitRejection
{
    public static string? Body(string? rejectedMessage)
        => rejectedMessage is null ? null : new JsonObject { ["error_msg"] = rejectedMessage }.ToJsonString();
}
