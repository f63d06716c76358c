namespace MirrorGate.Mirroring.Compare;

/// <summary>One step from a JSON value to a child: an object member by name, or an array element by index.</summary>
internal readonly record struct JsonPathStep(string? Name, int Index)
{
    public static JsonPathStep Member(string name) => new(name, -1);

    public static JsonPathStep Element(int index) => new(null, index);

    public bool IsMember => Name is not null;
}
