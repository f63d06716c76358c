using System.Text.Json;

namespace MirrorGate.Admin.Dashboard;

/// <summary>
/// Writes a <see cref="DashboardSnapshot"/> as the Admin API's JSON (snake_case field names, as
/// APISIX's). Every field is always present, null when it does not apply, so the page and
/// scripts need no "is it there" checks. The fields are listed in docs/observability.md#dashboard.
/// </summary>
internal static class DashboardJson
{
    public static void Write(Utf8JsonWriter writer, DashboardSnapshot snapshot)
    {
        writer.WriteStartObject();
        WriteNode(writer, snapshot.Node);
        WriteLoad(writer, snapshot.Mirror);
        writer.WriteStartArray("routes");
        foreach (var route in snapshot.Routes)
        {
            WriteRoute(writer, route);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteNode(Utf8JsonWriter writer, DashboardNode node)
    {
        writer.WriteStartObject("node");
        writer.WriteString("version", node.Version);
        writer.WriteString("node_id", node.NodeId);
        writer.WriteString("hostname", node.Hostname);
        writer.WriteString("started_at", node.StartedAt);
        writer.WriteString("time", node.Time);
        writer.WriteNumber("uptime_seconds", Math.Round(node.UptimeSeconds, 3));
        writer.WriteNumber("config_revision", node.ConfigRevision);
        writer.WriteEndObject();
    }

    private static void WriteLoad(Utf8JsonWriter writer, DashboardMirrorLoad load)
    {
        writer.WriteStartObject("mirror");
        writer.WriteNumber("queue_depth", load.QueueDepth);
        writer.WriteNumber("queue_size", load.QueueSize);
        writer.WriteNumber("in_flight", load.InFlight);
        writer.WriteNumber("buffered_bytes", load.BufferedBytes);
        writer.WriteNumber("max_buffered_bytes", load.MaxBufferedBytes);
        writer.WriteEndObject();
    }

    private static void WriteRoute(Utf8JsonWriter writer, DashboardRoute route)
    {
        writer.WriteStartObject();
        writer.WriteString("id", route.Id);
        WriteNullableString(writer, "name", route.Name);
        WriteStrings(writer, "uris", route.Uris);
        WriteStrings(writer, "hosts", route.Hosts);
        WriteStrings(writer, "methods", route.Methods);
        if (route.Upstream is { } upstream)
        {
            writer.WriteStartObject("upstream");
            WriteNullableString(writer, "id", upstream.Id);
            WriteNullableString(writer, "service_id", upstream.ServiceId);
            writer.WriteString("scheme", upstream.Scheme);
            writer.WriteBoolean("health_checked", upstream.HealthChecked);
            writer.WriteStartArray("nodes");
            foreach (var node in upstream.Nodes)
            {
                writer.WriteStartObject();
                writer.WriteString("address", node.Address);
                writer.WriteNumber("weight", node.Weight);
                writer.WriteNumber("priority", node.Priority);
                writer.WriteString("health", node.Health);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("upstream");
        }

        if (route.Mirror is { } targets)
        {
            writer.WriteStartArray("mirror_targets");
            foreach (var target in targets)
            {
                WriteTarget(writer, target);
            }

            writer.WriteEndArray();
        }
        else
        {
            writer.WriteNull("mirror_targets");
        }

        writer.WriteEndObject();
    }

    private static void WriteTarget(Utf8JsonWriter writer, DashboardMirrorTarget target)
    {
        writer.WriteStartObject();
        writer.WriteString("name", target.Name);
        writer.WriteString("host", target.Host);
        writer.WriteNumber("sample_ratio", target.SampleRatio);
        WriteNullableString(writer, "sample_key", target.SampleKey);
        writer.WriteBoolean("compare", target.Compare);
        WriteNullableNumber(writer, "queue_size", target.QueueSize);
        WriteNullableNumber(writer, "held", target.Held);
        writer.WriteString("circuit", target.CircuitOpen ? "open" : "closed");
        writer.WriteString("kill_switch", target.KillSwitch);

        var counters = target.Counters;
        writer.WriteStartObject("counters");
        writer.WriteNumber("sampled", counters.Sampled);
        writer.WriteNumber("sent", counters.Sent);
        writer.WriteNumber("failed", counters.Failed);
        writer.WriteNumber("dropped", counters.Dropped);
        writer.WriteNumber("pending", counters.Pending);
        WriteMap(writer, "sent_by_status_class", counters.SentByStatusClass);
        WriteMap(writer, "failed_by_reason", counters.FailedByReason);
        WriteMap(writer, "dropped_by_reason", counters.DroppedByReason);
        writer.WriteEndObject();

        var latency = target.Latency;
        writer.WriteStartObject("latency");
        writer.WriteNumber("count", latency.Count);
        writer.WriteNumber("sum_seconds", latency.SumSeconds);
        WriteNullableDouble(writer, "p50_seconds", latency.P50);
        WriteNullableDouble(writer, "p90_seconds", latency.P90);
        WriteNullableDouble(writer, "p99_seconds", latency.P99);
        writer.WriteStartArray("bucket_bounds_seconds");
        foreach (var bound in latency.Bounds)
        {
            writer.WriteNumberValue(bound);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("bucket_cumulative_counts");
        foreach (var count in latency.Cumulative)
        {
            writer.WriteNumberValue(count);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteMap(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, long> map)
    {
        writer.WriteStartObject(name);
        foreach (var (key, value) in map)
        {
            writer.WriteNumber(key, value);
        }

        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IReadOnlyList<string>? values)
    {
        if (values is null)
        {
            writer.WriteNull(name);
            return;
        }

        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static void WriteNullableString(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteNullableNumber(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteNullableDouble(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, Math.Round(number, 6));
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
