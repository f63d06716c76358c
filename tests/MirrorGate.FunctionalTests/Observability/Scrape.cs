using System.Globalization;

namespace MirrorGate.FunctionalTests.Observability;

/// <summary>A Prometheus text exposition read back: HELP and TYPE per family, each sample with its labels in order.</summary>
internal sealed class Scrape
{
    private Scrape(string text)
    {
        Text = text;
    }

    public string Text { get; }

    public Dictionary<string, string> Types { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Helps { get; } = new(StringComparer.Ordinal);

    public List<Sample> Samples { get; } = [];

    public static Scrape Parse(string text)
    {
        var scrape = new Scrape(text);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                scrape.Types[parts[2]] = parts[3];
                continue;
            }

            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                var rest = line["# HELP ".Length..];
                var space = rest.IndexOf(' ');
                scrape.Helps[rest[..space]] = rest[(space + 1)..];
                continue;
            }

            scrape.Samples.Add(Sample.Parse(line));
        }

        return scrape;
    }

    /// <summary>
    /// The node's scrape once <paramref name="ready"/> holds, or the last one after 10 s. A request's
    /// series are recorded just after its answer went out, so a test that has the answer polls for
    /// them instead of assuming they are there.
    /// </summary>
    public static async Task<Scrape> WhenAsync(Infrastructure.GatewayNode gateway, Func<Scrape, bool> ready)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var scrape = Parse(await gateway.MetricsAsync());
            if (ready(scrape) || DateTime.UtcNow > deadline)
            {
                return scrape;
            }

            await Task.Delay(20);
        }
    }

    /// <summary>The sum of the samples of one name whose labels include every given pair; 0 when there are none.</summary>
    public double Sum(string name, params (string Label, string Value)[] labels) => Find(name, labels).Sum(s => s.Value);

    /// <summary>Samples of one name whose labels include every given pair.</summary>
    public IEnumerable<Sample> Find(string name, params (string Label, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Label(l.Label) == l.Value));

    public double Value(string name, params (string Label, string Value)[] labels)
    {
        var found = Find(name, labels).ToList();
        Assert.True(found.Count == 1, $"expected one {name} with {string.Join(",", labels)}, found {found.Count} in:\n{Text}");
        return found[0].Value;
    }

    internal sealed record Sample(string Name, List<KeyValuePair<string, string>> Labels, double Value)
    {
        public string? Label(string name) => Labels.FirstOrDefault(l => l.Key == name).Value;

        public static Sample Parse(string line)
        {
            var brace = line.IndexOf('{');
            var labels = new List<KeyValuePair<string, string>>();
            string name;
            string rest;
            if (brace < 0)
            {
                var space = line.IndexOf(' ');
                name = line[..space];
                rest = line[(space + 1)..];
            }
            else
            {
                name = line[..brace];
                var i = brace + 1;
                while (line[i] != '}')
                {
                    var eq = line.IndexOf('=', i);
                    var key = line[i..eq];
                    i = eq + 2;
                    var value = new System.Text.StringBuilder();
                    while (line[i] != '"')
                    {
                        if (line[i] == '\\')
                        {
                            i++;
                            value.Append(line[i] == 'n' ? '\n' : line[i]);
                        }
                        else
                        {
                            value.Append(line[i]);
                        }

                        i++;
                    }

                    labels.Add(new(key, value.ToString()));
                    i++;
                    if (line[i] == ',')
                    {
                        i++;
                    }
                }

                rest = line[(i + 2)..];
            }

            return new Sample(name, labels, double.Parse(rest, NumberStyles.Float, CultureInfo.InvariantCulture));
        }
    }
}
