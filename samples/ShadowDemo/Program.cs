// A small order service in two versions, for the shadow-testing walkthrough (docs/shadow-testing.md):
//
//   dotnet run --project samples/ShadowDemo -- --port 9001 --version v1
//   dotnet run --project samples/ShadowDemo -- --port 9002 --version v2
//
// Both answer GET /orders/{id} with the same order, stamped with the time it was served
// (different on every answer: noise, not a regression). Even-numbered orders have shipped, odd
// ones are pending. v2 has one real change: a shipped order's status reads "dispatched" where v1
// says "shipped"; pending orders read the same in both.
using System.Globalization;

var port = 9001;
var version = "v1";
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--port":
            port = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            break;
        case "--version":
            version = args[i + 1];
            break;
        default:
            Console.Error.WriteLine($"unknown option {args[i]}; usage: --port N --version v1|v2");
            return 2;
    }
}

if (version is not ("v1" or "v2"))
{
    Console.Error.WriteLine($"--version must be v1 or v2, not {version}");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
var app = builder.Build();

app.MapGet("/orders/{id:int}", (int id) => Results.Json(new Dictionary<string, object>
{
    ["id"] = id,
    ["status"] = id % 2 == 1 ? "pending" : version == "v1" ? "shipped" : "dispatched",
    ["items"] = new[] { new Dictionary<string, object> { ["sku"] = "A-" + id, ["quantity"] = 1 + (id % 3) } },
    ["total"] = Math.Round(9.5 * (1 + (id % 3)), 2),
    ["served_at"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
}));

app.MapGet("/health", () => Results.Text("ok\n"));

Console.WriteLine($"order service {version} listening on http://127.0.0.1:{port}");
app.Run();
return 0;
