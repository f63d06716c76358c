using System.Text;

/// <summary>
/// The answer of <c>Sink --json</c>: a fixed order document of about 1 KiB, nested objects and
/// arrays of numbers and strings, so a compared answer costs what a real API's would.
/// </summary>
internal static class JsonAnswer
{
    public static readonly byte[] Body = Build();

    private static byte[] Build()
    {
        var text = new StringBuilder();
        text.Append("{\"id\":4711,\"status\":\"shipped\",\"customer\":{\"id\":\"c-0042\",\"name\":\"Ada Lovelace\",\"tier\":\"gold\"},\"items\":[");
        for (var i = 0; i < 8; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }

            text.Append("{\"sku\":\"SKU-").Append(1000 + i).Append("\",\"quantity\":").Append(1 + (i % 3))
                .Append(",\"price\":").Append(9.5 + i).Append(",\"tags\":[\"a\",\"b\"]}");
        }

        text.Append("],\"total\":123.45,\"currency\":\"EUR\",\"notes\":null,\"gift\":false}\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
