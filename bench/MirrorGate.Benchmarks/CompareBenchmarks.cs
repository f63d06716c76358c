using System.Text;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using MirrorGate.Mirroring.Compare;

namespace MirrorGate.Benchmarks;

/// <summary>
/// What comparing one answer costs, off the request path: the primary's and the target's 1 KiB JSON
/// answers (the bench Sink's document), equal, or differing in one field.
/// </summary>
[MemoryDiagnoser]
public class CompareBenchmarks
{
    private CapturedResponse _primary = null!;
    private CapturedResponse _same = null!;
    private CapturedResponse _changed = null!;
    private readonly CompareOptions _options = CompareOptions.FromJson(new JsonObject());

    [GlobalSetup]
    public void Setup()
    {
        var text = new StringBuilder("{\"id\":4711,\"status\":\"shipped\",\"customer\":{\"id\":\"c-0042\",\"name\":\"Ada Lovelace\",\"tier\":\"gold\"},\"items\":[");
        for (var i = 0; i < 8; i++)
        {
            text.Append(i > 0 ? "," : "").Append("{\"sku\":\"SKU-").Append(1000 + i).Append("\",\"quantity\":").Append(1 + (i % 3))
                .Append(",\"price\":").Append(9.5 + i).Append(",\"tags\":[\"a\",\"b\"]}");
        }

        text.Append("],\"total\":123.45,\"currency\":\"EUR\",\"notes\":null,\"gift\":false}\n");
        var body = text.ToString();
        _primary = Answer(body, "Thu, 26 Nov 2026 10:00:00 GMT");
        _same = Answer(body, "Thu, 26 Nov 2026 10:00:01 GMT");
        _changed = Answer(body.Replace("shipped", "dispatched"), "Thu, 26 Nov 2026 10:00:01 GMT");
    }

    private static CapturedResponse Answer(string body, string date)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        return new CapturedResponse
        {
            Status = 200,
            Headers =
            [
                new("Content-Length", [bytes.Length.ToString()]),
                new("Content-Type", ["application/json"]),
                new("Date", [date]),
                new("Server", ["Kestrel"]),
            ],
            Body = bytes,
            BodyLength = bytes.Length,
        };
    }

    [Benchmark(Description = "compare: equal 1 KiB JSON answers")]
    public int Equal() => (int)ResponseComparer.Compare(_primary, _same, null, _options).Result;

    [Benchmark(Description = "compare: 1 KiB JSON answers, one field differs")]
    public int OneFieldDiffers() => (int)ResponseComparer.Compare(_primary, _changed, null, _options).Result;
}
